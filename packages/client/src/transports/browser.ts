/**
 * The transport of the browser entry: the global WebSocket (`ws://`, `wss://` only).
 */
import { invalidArgument } from "../errors.js";
import type { TransportFactory } from "../transport.js";
import { openWebSocket, type WebSocketConstructor } from "./websocket.js";

/** The default transport factory in browsers; other schemes are refused. */
export function browserTransport(): TransportFactory {
  return (address, callbacks) => {
    if (address.protocol !== "ws" && address.protocol !== "wss") {
      throw invalidArgument(`${address.protocol}:// needs Node; browsers support ws:// and wss://`);
    }
    const WebSocketClass = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (typeof WebSocketClass !== "function") {
      throw invalidArgument("no global WebSocket in this environment");
    }
    return openWebSocket(WebSocketClass as WebSocketConstructor, address, callbacks);
  };
}
