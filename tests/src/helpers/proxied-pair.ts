/**
 * The connection pair every test proxy makes: for each accepted client socket, a socket to the
 * broker; both tracked in `sockets` (so the proxy can destroy them all) and both destroyed when
 * either closes, as a broken link would.
 */
import { type Socket, connect as tcpConnect } from "node:net";

/** Opens the broker side for `client`; returns the broker socket (forwarding is the caller's). */
export function connectToBroker(client: Socket, brokerPort: number, sockets: Set<Socket>): Socket {
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
  return broker;
}
