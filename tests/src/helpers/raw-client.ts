import { connect as netConnect } from "node:net";
import type { Duplex } from "node:stream";
import { Decoder, encode, type Packet, type PacketOf, type PacketType } from "@ternmq/codec";
import { sleep } from "./with-timeout.js";

/**
 * A raw MQTT 3.1.1 client over node:net for conformance tests: it sends exactly the packets
 * (or bytes) a test gives it and queues every packet the server sends, so a test can observe
 * the wire. Every wait is bounded; `destroy()` ends the socket (the fixture calls it after
 * each test).
 *
 * Design: a socket feeds a client-role `Decoder`; decoded packets go to `queue`. Waiters
 * register a check that runs on every socket event (data, close, decode error) and settle
 * the first time it yields a value or throws.
 */
export class RawClient {
  /** Every byte received from the server, in order (for checks on the raw fixed header). */
  readonly receivedChunks: Uint8Array[] = [];
  private readonly queue: Packet[] = [];
  private readonly decoder = new Decoder({ role: "client", protocolVersion: 4 });
  private readonly listeners = new Set<() => void>();
  private decodeError: unknown;
  private isClosed = false;

  private constructor(private readonly socket: Duplex) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => {
      this.isClosed = true;
      this.notify();
    });
    // ECONNRESET and friends end in "close"; an unhandled "error" would crash the test run.
    socket.on("error", () => {});
  }

  /** Opens a TCP connection to the server (no MQTT packet is sent yet). */
  static connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host });
      socket.setNoDelay(true);
      socket.once("connect", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  /** A client over any duplex byte stream (e.g. one end of an in-memory pair). */
  static over(stream: Duplex): RawClient {
    return new RawClient(stream);
  }

  /** True once the server (or this client) has closed the connection. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Encodes one packet for MQTT 3.1.1 and writes it. */
  send(packet: Packet): void {
    this.socket.write(encode(packet, { protocolVersion: 4 }));
  }

  /** Writes bytes exactly as given (hand-made or malformed packets). */
  sendBytes(bytes: Uint8Array | readonly number[]): void {
    this.socket.write(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** The next packet from the server, whatever its type. */
  nextPacket(timeoutMs = 2000): Promise<Packet> {
    return this.waitUntil(
      () => {
        const packet = this.queue.shift();
        if (packet !== undefined) return packet;
        this.throwIfEnded("a packet");
        return undefined;
      },
      timeoutMs,
      "a packet",
    );
  }

  /** The next packet from the server, which must be of `type`. */
  async expectPacket<T extends PacketType>(type: T, timeoutMs = 2000): Promise<PacketOf<T>> {
    const packet = await this.nextPacket(timeoutMs);
    if (packet.type !== type) {
      throw new Error(`expected ${type}, received ${describe(packet)}`);
    }
    return packet as PacketOf<T>;
  }

  /** Resolves when the server closes the connection; fails if a packet arrives first. */
  expectClosed(timeoutMs = 2000): Promise<void> {
    return this.waitUntil(
      () => {
        const packet = this.queue[0];
        if (packet !== undefined) {
          throw new Error(`expected the connection to close, received ${describe(packet)}`);
        }
        return this.isClosed ? true : undefined;
      },
      timeoutMs,
      "the connection to close",
    ).then(() => undefined);
  }

  /** Waits `ms` and fails if any packet arrived or the connection closed meanwhile. */
  async expectNothing(ms: number): Promise<void> {
    await sleep(ms);
    const packet = this.queue[0];
    if (packet !== undefined) throw new Error(`expected nothing, received ${describe(packet)}`);
    if (this.decodeError !== undefined) throw this.decodeError;
    if (this.isClosed) throw new Error("expected nothing, but the connection closed");
  }

  /** Waits `ms` and returns every packet received meanwhile (and still unread). */
  async collect(ms: number): Promise<Packet[]> {
    await sleep(ms);
    if (this.decodeError !== undefined) throw this.decodeError;
    return this.queue.splice(0);
  }

  /** Ends the connection abruptly (no DISCONNECT), as a network failure would. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.receivedChunks.push(Uint8Array.from(chunk));
    try {
      this.decoder.push(Uint8Array.from(chunk));
      for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
        this.queue.push(packet);
      }
    } catch (error) {
      this.decodeError = error;
    }
    this.notify();
  }

  private throwIfEnded(what: string): void {
    if (this.decodeError !== undefined) throw this.decodeError;
    if (this.isClosed) throw new Error(`connection closed while waiting for ${what}`);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(attempt);
      };
      const attempt = (): void => {
        try {
          const value = check();
          if (value === undefined) return;
          finish();
          resolve(value);
        } catch (error) {
          finish();
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(attempt);
      attempt();
    });
  }
}

function describe(packet: Packet): string {
  if (packet.type === "publish") {
    return `publish(${packet.topic}, qos ${packet.qos}, id ${packet.packetId ?? "-"})`;
  }
  return "packetId" in packet ? `${packet.type}(id ${packet.packetId})` : packet.type;
}
