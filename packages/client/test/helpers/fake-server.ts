/**
 * An in-memory MQTT server end for the client's `transport` option: each connection
 * attempt becomes a `FakeConnection` the test drives packet by packet (accept, read what
 * the client wrote, answer, cut), so timing-sensitive behaviour is deterministic.
 */
import { Decoder, encode, type Packet } from "@ternmq/codec";
import {
  type ClientError,
  type ClientOptions,
  connect,
  type TransportCallbacks,
  type TransportFactory,
} from "../../src/index.js";
import { ManualTimers } from "./manual-timers.js";

export class FakeConnection {
  readonly received: Packet[] = [];
  state: "opening" | "open" | "closed" = "opening";
  /** What `write` answers: false simulates a full socket buffer (call `drain()` later). */
  acceptWrites = true;
  /** How the client closed it: "end" (graceful) or "destroy". */
  closedBy: "end" | "destroy" | "server" | undefined;
  private readonly decoder = new Decoder({ role: "server" });
  private waiters: (() => void)[] = [];

  constructor(private readonly callbacks: TransportCallbacks) {}

  /** The TCP/WebSocket connection is up. */
  open(): void {
    this.state = "open";
    this.callbacks.open();
  }

  /** Sends packets to the client, in one chunk. */
  send(...packets: Packet[]): void {
    const chunks = packets.map((packet) => encode(packet, { protocolVersion: 4 }));
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.callbacks.data(bytes);
  }

  /** Sends raw bytes to the client. */
  sendBytes(bytes: Uint8Array): void {
    this.callbacks.data(bytes);
  }

  /** The transport's buffer emptied (after writes answered false). */
  drain(): void {
    this.callbacks.drain();
  }

  /** The server (or the network) closes the connection. */
  cut(error?: Error): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.closedBy = "server";
    this.callbacks.close(error);
  }

  /** Packets of `type` the client sent. */
  sent<T extends Packet["type"]>(type: T): Extract<Packet, { type: T }>[] {
    return this.received.filter(
      (packet): packet is Extract<Packet, { type: T }> => packet.type === type,
    );
  }

  /** Resolves once the client has sent `count` packets in total. */
  async waitFor(count: number): Promise<Packet[]> {
    while (this.received.length < count) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.received;
  }

  /** Called by the transport for the client's bytes. */
  clientWrote(bytes: Uint8Array): boolean {
    this.decoder.push(bytes.slice());
    for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
      this.received.push(packet);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    return this.acceptWrites;
  }

  clientClosed(how: "end" | "destroy"): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.closedBy = how;
    // Like a socket: the close is reported asynchronously.
    queueMicrotask(() => this.callbacks.close());
  }
}

/** A transport factory recording every connection attempt. */
export class FakeServer {
  readonly connections: FakeConnection[] = [];
  private waiters: (() => void)[] = [];

  readonly transport: TransportFactory = (_address, callbacks) => {
    const connection = new FakeConnection(callbacks);
    this.connections.push(connection);
    for (const resolve of this.waiters.splice(0)) resolve();
    return {
      write: (bytes) => connection.clientWrote(bytes),
      end: () => connection.clientClosed("end"),
      destroy: () => connection.clientClosed("destroy"),
    };
  };

  /** The `index`th connection attempt (0-based), once it exists. */
  async connection(index: number): Promise<FakeConnection> {
    while (this.connections.length <= index) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.connections[index] as FakeConnection;
  }

  /** Opens the `index`th connection, waits for its CONNECT and accepts it. */
  async accept(index: number, sessionPresent = false): Promise<FakeConnection> {
    const connection = await this.connection(index);
    connection.open();
    await connection.waitFor(1);
    connection.send({ type: "connack", sessionPresent, reasonCode: 0 });
    return connection;
  }
}

/** Lets pending promise callbacks run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A client on a new FakeServer with hand-driven timers, a fixed jitter (`random` 0.5), no
 * keepalive, and every `error` event collected; `options` override those defaults.
 */
export function clientOnFakeServer(options: ClientOptions = {}) {
  const server = new FakeServer();
  const timers = new ManualTimers();
  const client = connect("mqtt://broker.invalid", {
    transport: server.transport,
    timers,
    random: () => 0.5,
    keepalive: 0,
    ...options,
  });
  const errors: ClientError[] = [];
  client.on("error", (error) => errors.push(error));
  return { server, timers, client, errors };
}
