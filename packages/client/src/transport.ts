/**
 * The byte-stream seam between the client and the network: TCP, TLS and WebSocket in Node,
 * WebSocket in browsers, or anything a test provides.
 *
 * Design: a transport is opened by a factory and reports through the callbacks it was given;
 * it never throws from `write`. A chunk may hold part of a packet or several packets (the
 * client's decoder frames them), so WebSocket frames need not align with packets.
 */

/** Where to connect, parsed from the URL and the `host`/`port` options. */
export interface ServerAddress {
  readonly protocol: "mqtt" | "mqtts" | "ws" | "wss";
  readonly host: string;
  readonly port: number;
  /** WebSocket path (`/mqtt` unless the URL has one); unused by TCP/TLS. */
  readonly path: string;
}

/** What a transport reports. Each callback is called at most as described. */
export interface TransportCallbacks {
  /** The connection is open: bytes may be written. At most once. */
  open(): void;
  /** Bytes from the server. The client keeps views into `chunk`: do not reuse it. */
  data(chunk: Uint8Array): void;
  /** The connection is gone, with the error if it failed. Exactly once, last. */
  close(error?: Error): void;
  /** After a `write` returned false: the buffered bytes have been sent. */
  drain(): void;
}

/** An open (or opening) connection. */
export interface Transport {
  /**
   * Queues bytes for sending (after `open`). Returns false when the transport's buffer is
   * above its limit: `drain` follows once it has emptied (backpressure).
   */
  write(bytes: Uint8Array): boolean;
  /** Sends what was written, then closes. `close` follows. */
  end(): void;
  /** Closes at once, dropping what was not sent. `close` follows. */
  destroy(): void;
}

/** Opens a transport to `address`; `options` are the client's (for TLS settings). */
export type TransportFactory = (address: ServerAddress, callbacks: TransportCallbacks) => Transport;
