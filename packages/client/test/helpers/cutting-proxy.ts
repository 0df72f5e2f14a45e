/**
 * A TCP proxy for fault tests: forwards bytes between clients and the broker, follows the
 * MQTT framing in both directions, and, when armed, cuts both sockets right after a chosen
 * packet type has passed in a chosen direction (the packet is delivered, nothing after it).
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export type Direction = "client-to-broker" | "broker-to-client";

export interface CutRule {
  readonly direction: Direction;
  /** Fixed-header packet type (3 PUBLISH, 4 PUBACK, 5 PUBREC, 6 PUBREL, 7 PUBCOMP...). */
  readonly type: number;
  /** Cut after the n-th such packet counted from `arm()` (default 1). */
  readonly occurrence?: number;
}

export const PACKET = { publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 } as const;

/** Follows MQTT framing across chunks; reports each frame that completes. */
class FrameScanner {
  private header: number[] = [];
  private type = 0;
  private remaining = 0;
  private inBody = false;

  /** Calls `onFrame(type, end)` for each frame ending in `chunk`; stops when it returns true. */
  scan(chunk: Uint8Array, onFrame: (type: number, end: number) => boolean): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.inBody) {
        const take = Math.min(this.remaining, chunk.length - offset);
        offset += take;
        this.remaining -= take;
        if (this.remaining > 0) return;
        this.inBody = false;
        if (onFrame(this.type, offset)) return;
        continue;
      }
      const byte = chunk[offset++] ?? 0;
      this.header.push(byte);
      if (this.header.length === 1) {
        this.type = byte >> 4;
        continue;
      }
      if ((byte & 0x80) !== 0) continue;
      this.remaining = 0;
      for (const [index, lengthByte] of this.header.slice(1).entries()) {
        this.remaining += (lengthByte & 0x7f) * 128 ** index;
      }
      this.header = [];
      if (this.remaining === 0) {
        if (onFrame(this.type, offset)) return;
      } else {
        this.inBody = true;
      }
    }
  }
}

export class CuttingProxy {
  port = 0;
  /** Connections cut so far. */
  cuts = 0;
  /** Connections accepted so far. */
  connections = 0;
  private rules: CutRule[] = [];
  private seen = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private cutWaiters: (() => void)[] = [];

  private constructor(private readonly brokerPort: number) {
    this.server = createServer((client) => this.pair(client));
  }

  static async start(brokerPort: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(brokerPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const address = proxy.server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP port");
    proxy.port = address.port;
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Cuts once per rule, in order: after the packet described by each. */
  arm(...rules: CutRule[]): void {
    this.rules = rules;
    this.seen = 0;
  }

  /** Resolves once every armed cut has happened. */
  cutsDone(): Promise<void> {
    if (this.rules.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.cutWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pair(client: Socket): void {
    this.connections++;
    const broker = tcpConnect({ port: this.brokerPort, host: "127.0.0.1" });
    for (const socket of [client, broker]) {
      this.sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        broker.destroy();
      });
    }
    this.forward(client, broker, "client-to-broker", client, broker);
    this.forward(broker, client, "broker-to-client", client, broker);
  }

  private forward(from: Socket, to: Socket, direction: Direction, a: Socket, b: Socket): void {
    const scanner = new FrameScanner();
    let cutting = false;
    from.on("data", (chunk: Buffer) => {
      if (cutting) return;
      let cutAt: number | undefined;
      scanner.scan(chunk, (type, end) => {
        const rule = this.rules[0];
        if (rule === undefined || rule.direction !== direction || rule.type !== type) return false;
        this.seen++;
        if (this.seen < (rule.occurrence ?? 1)) return false;
        cutAt = end;
        return true;
      });
      if (cutAt === undefined) {
        to.write(chunk);
        return;
      }
      cutting = true;
      this.rules.shift();
      this.seen = 0;
      this.cuts++;
      const done = this.rules.length === 0;
      to.write(chunk.subarray(0, cutAt), () => {
        a.destroy();
        b.destroy();
        if (done) for (const resolve of this.cutWaiters.splice(0)) resolve();
      });
    });
  }
}
