/**
 * A TCP proxy in front of a broker whose network the test can cut and restore at any moment,
 * for reconnect tests (a broker on an OS-assigned port cannot be restarted on the same port
 * reliably, but the proxy's port stays put).
 *
 * `cut()` destroys every proxied connection (both sides, as a broker crash would) and stops
 * listening, so that reconnect attempts are refused as they are by a host whose broker is
 * down; `restore()` listens on the same port again. (Another process could take the port in
 * between; `restore()` then fails readably with EADDRINUSE.)
 */
import { createServer, type Server, type Socket } from "node:net";
import { connectToBroker } from "./proxied-pair.js";

export interface SwitchableProxy {
  readonly port: number;
  /** Connections accepted and forwarded so far. */
  readonly connections: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Proxies 127.0.0.1:`port` -> 127.0.0.1:`brokerPort`. */
export async function startSwitchableProxy(brokerPort: number): Promise<SwitchableProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    const broker = connectToBroker(client, brokerPort, sockets);
    client.pipe(broker);
    broker.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const stopListening = async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no TCP port");
  const { port } = address;
  return {
    port,
    get connections() {
      return connections;
    },
    cut: stopListening,
    restore: () => listen(port),
    close: stopListening,
  };
}
