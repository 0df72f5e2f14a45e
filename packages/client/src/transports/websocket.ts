/**
 * WebSocket transport (`ws://`, `wss://`) over any WHATWG-shaped WebSocket class: the
 * browser's global one, or the `ws` package's in Node (passed in by index.ts, so this module
 * imports nothing of Node). Subprotocol `mqtt`; every MQTT byte travels in binary messages,
 * and a message may hold part of a packet or several packets.
 */
import type { ServerAddress, Transport, TransportCallbacks } from "../transport.js";

/** The part of the WHATWG WebSocket API this transport uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (
  url: string,
  protocols: string | string[],
  options?: never,
) => WebSocketLike;

const OPEN = 1;
const CLOSING = 2;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

class WebSocketTransport implements Transport {
  constructor(private readonly socket: WebSocketLike) {}

  /** WebSocket has no drain event: bytes are always accepted (`bufferedAmount` grows). */
  write(bytes: Uint8Array): boolean {
    if (this.socket.readyState === OPEN) this.socket.send(bytes);
    return true;
  }

  end(): void {
    // Frames already passed to send() are delivered before the close frame.
    if (this.socket.readyState < CLOSING) this.socket.close(1000);
  }

  destroy(): void {
    if (this.socket.readyState < CLOSING) this.socket.close(1000);
  }
}

/** Opens a WebSocket to `address` with the given WebSocket class. */
export function openWebSocket(
  WebSocketClass: WebSocketConstructor,
  address: ServerAddress,
  callbacks: TransportCallbacks,
  options?: object,
): Transport {
  const scheme = address.protocol === "wss" ? "wss" : "ws";
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const url = `${scheme}://${host}:${address.port}${address.path}`;
  const socket =
    options === undefined
      ? new WebSocketClass(url, "mqtt")
      : new WebSocketClass(url, "mqtt", options as never);
  socket.binaryType = "arraybuffer";
  let failure: Error | undefined;
  let closed = false;
  socket.onopen = () => callbacks.open();
  socket.onmessage = (event) => {
    const bytes = toBytes(event.data);
    if (bytes !== undefined) {
      callbacks.data(bytes);
      return;
    }
    // [MQTT-6.0.0-1]: MQTT travels in binary frames only; a text frame ends the connection.
    failure ??= new Error("the server sent a WebSocket text frame");
    socket.close(1003);
  };
  socket.onerror = (event) => {
    const message = (event as { message?: unknown }).message;
    failure ??= new Error(typeof message === "string" ? message : "WebSocket error");
  };
  socket.onclose = (event) => {
    if (closed) return;
    closed = true;
    if (failure === undefined && event.code !== 1000 && event.code !== 1005) {
      failure = new Error(`WebSocket closed with code ${event.code}`);
    }
    callbacks.close(failure);
  };
  return new WebSocketTransport(socket);
}
