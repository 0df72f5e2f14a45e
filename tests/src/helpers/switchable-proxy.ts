/**
 * A TCP proxy in front of a broker whose network the test can cut and restore at any moment,
 * for reconnect tests (a broker on an OS-assigned port cannot be restarted on the same port
 * reliably, but the proxy's port stays put).
 *
 * `cut()` destroys every proxied connection (both sides, as a pulled cable followed by a
 * reset would) and, until `restore()`, closes each new connection as soon as it is accepted,
 * so that reconnect attempts fail the way they do against an unreachable broker.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface SwitchableProxy {
  readonly port: number;
  /** Connections accepted and forwarded so far (refused ones are not counted). */
  readonly connections: number;
  /** Connections refused while cut. */
  readonly refused: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Proxies 127.0.0.1:`port` -> 127.0.0.1:`brokerPort`. */
export async function startSwitchableProxy(brokerPort: number): Promise<SwitchableProxy> {
  const sockets = new Set<Socket>();
  let isCut = false;
  let connections = 0;
  let refused = 0;
  const server: Server = createServer((client) => {
    client.on("error", () => {});
    if (isCut) {
      refused += 1;
      client.destroy();
      return;
    }
    connections += 1;
    const broker = tcpConnect({ port: brokerPort, host: "127.0.0.1" });
    for (const socket of [client, broker]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        broker.destroy();
      });
    }
    client.pipe(broker);
    broker.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no TCP port");
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    cut: () => {
      isCut = true;
      destroyAll();
    },
    restore: () => {
      isCut = false;
    },
    close: async () => {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
