/**
 * `TcpClient`: the EthernetClient / WiFiClient of Node, an Arduino `Client` over `node:net`.
 *
 * Design: the socket's 'data' chunks are queued as they arrive, so `available()` and `read()`
 * are synchronous like on a board. `write` copies the bytes (the caller reuses its buffer) and
 * hands them to the socket, which queues them while the kernel buffer is full. State:
 * "idle" -> connect() -> "connecting" -> "open" -> (peer closes, error, or stop()) -> "closed";
 * connect() again from "closed" opens a new socket.
 */
import { Socket } from "node:net";
import type { Client } from "./transport.js";

/** How long stop() lets queued bytes drain before it destroys the socket. */
const STOP_GRACE_MS = 2_000;

export interface TcpClientOptions {
  /** Give up `connect` after this many milliseconds (default 15000, 2.8's socket timeout). */
  connectTimeoutMs?: number;
  /** Disable Nagle's algorithm (default true: MQTT packets are small and latency matters). */
  noDelay?: boolean;
}

export class TcpClient implements Client {
  private state: "idle" | "connecting" | "open" | "closed" = "idle";
  private socket: Socket | undefined;
  private readonly received: Uint8Array[] = [];
  /** Bytes of `received[0]` already read. */
  private readOffset = 0;
  private receivedBytes = 0;
  private readonly connectTimeoutMs: number;
  private readonly noDelay: boolean;

  constructor(options: TcpClientOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.noDelay = options.noDelay ?? true;
  }

  /** Opens a TCP connection; resolves false (never rejects) when it cannot. */
  connect(host: string, port: number): Promise<boolean> {
    this.stop();
    const socket = new Socket();
    this.socket = socket;
    this.state = "connecting";
    return new Promise((resolve) => {
      const fail = (): void => {
        if (this.socket === socket) this.stop();
        resolve(false);
      };
      socket.setTimeout(this.connectTimeoutMs, () => socket.destroy());
      socket.once("error", fail);
      socket.once("close", fail);
      socket.once("connect", () => {
        socket.setTimeout(0);
        socket.removeListener("error", fail);
        socket.removeListener("close", fail);
        socket.setNoDelay(this.noDelay);
        socket.on("data", (chunk: Buffer) => this.receive(socket, chunk));
        // After an error 'close' follows; either way the connection is over.
        socket.on("error", () => {});
        socket.on("close", () => {
          if (this.socket === socket) this.state = "closed";
        });
        this.state = "open";
        resolve(true);
      });
      socket.connect({ host, port });
    });
  }

  write(bytes: Uint8Array): number {
    const socket = this.socket;
    if (socket === undefined || this.state !== "open" || socket.destroyed) return 0;
    socket.write(Buffer.from(bytes));
    return bytes.length;
  }

  available(): number {
    return this.receivedBytes;
  }

  read(): number;
  read(buffer: Uint8Array): number;
  read(buffer?: Uint8Array): number {
    if (buffer === undefined) {
      const one = new Uint8Array(1);
      return this.readInto(one) === 1 ? (one[0] ?? -1) : -1;
    }
    return this.readInto(buffer);
  }

  connected(): boolean {
    return this.state === "open" || this.receivedBytes > 0;
  }

  /**
   * Closes the connection. Bytes already written (a DISCONNECT after a large publish) are
   * still sent: the socket is ended gracefully, and destroyed only if the peer has not
   * taken them within STOP_GRACE_MS (a frozen link must not keep the socket forever).
   */
  stop(): void {
    const socket = this.socket;
    if (socket !== undefined && !socket.destroyed) {
      socket.end();
      setTimeout(() => socket.destroy(), STOP_GRACE_MS).unref();
    }
    this.socket = undefined;
    this.received.length = 0;
    this.readOffset = 0;
    this.receivedBytes = 0;
    if (this.state !== "idle") this.state = "closed";
  }

  /** Node sends written bytes as soon as it can; there is nothing to wait for synchronously. */
  flush(): void {}

  private receive(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
  }

  private readInto(target: Uint8Array): number {
    let written = 0;
    while (written < target.length && this.received.length > 0) {
      const chunk = this.received[0] as Uint8Array;
      const count = Math.min(target.length - written, chunk.length - this.readOffset);
      target.set(chunk.subarray(this.readOffset, this.readOffset + count), written);
      written += count;
      this.readOffset += count;
      if (this.readOffset === chunk.length) {
        this.received.shift();
        this.readOffset = 0;
      }
    }
    this.receivedBytes -= written;
    return written;
  }
}
