/**
 * The Arduino-style transport seam. PubSubClient only ever talks to a `Client` (Arduino's
 * `Client` class: EthernetClient, WiFiClient...) and optionally writes received payloads to a
 * `Stream`. Implement these to plug in any transport; `TcpClient` is the TCP one.
 */

/**
 * Arduino's `Client`. Everything but `connect` is synchronous, as on a board: the
 * implementation buffers received bytes so `available()` / `read()` answer at once.
 */
export interface Client {
  /**
   * Opens the connection to `host` (a host name or a dotted-quad IP) and `port`. Resolves (or
   * returns) true on success, false on failure; Arduino returns 1 / 0 and those are accepted too.
   */
  connect(host: string, port: number): Promise<boolean | number> | boolean | number;
  /**
   * Writes `bytes` and returns how many were taken (all of them, or fewer on failure). The
   * caller reuses `bytes` afterwards: copy them if they are kept beyond this call.
   */
  write(bytes: Uint8Array): number;
  /** How many received bytes can be read right now. */
  available(): number;
  /** Reads one byte (0-255), or -1 when none is available. */
  read(): number;
  /** Reads up to `buffer.length` bytes into `buffer`; returns how many (0 when none). */
  read(buffer: Uint8Array): number;
  /** True while the connection is open, or while received bytes are still unread (Arduino). */
  connected(): boolean;
  /** Closes the connection and discards unread bytes. */
  stop(): void;
  /** Arduino: waits until written bytes are sent. May do nothing. */
  flush(): void;
}

/** The part of Arduino's `Stream` that `setStream` uses: received payload bytes go here. */
export interface Stream {
  /** Writes `bytes` (copy them if they are kept); returns how many were taken. */
  write(bytes: Uint8Array): number;
}
