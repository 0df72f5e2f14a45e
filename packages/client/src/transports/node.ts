/**
 * The transports of the Node entry: TCP, TLS, and WebSocket through the `ws` package.
 */
import { WebSocket } from "ws";
import type { ClientTlsOptions } from "../options.js";
import type { TransportFactory } from "../transport.js";
import { openSocket } from "./socket.js";
import { openWebSocket, type WebSocketConstructor } from "./websocket.js";

/** The default transport factory in Node for every URL scheme. */
export function nodeTransport(tls: ClientTlsOptions | undefined): TransportFactory {
  return (address, callbacks) => {
    if (address.protocol === "ws" || address.protocol === "wss") {
      const options = address.protocol === "wss" ? tls : undefined;
      return openWebSocket(
        WebSocket as unknown as WebSocketConstructor,
        address,
        callbacks,
        options,
      );
    }
    return openSocket(address, callbacks, tls);
  };
}
