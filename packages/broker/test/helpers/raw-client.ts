/**
 * A raw MQTT test client over TCP built on @ternmq/codec: sends Packet objects (or bytes)
 * and receives Packet objects, with a timeout on every wait.
 */
import { connect as netConnect, type Socket } from "node:net";
import {
  type ConnackPacket,
  type ConnectPacket,
  Decoder,
  encode,
  type Packet,
  type PacketOf,
  type PacketType,
  type ProtocolVersion,
} from "@ternmq/codec";

const DEFAULT_WAIT_MS = 2000;

export class RawClient {
  /** Decoded packets not yet taken by `next()`. */
  private readonly packets: Packet[] = [];
  private waiter: ((packet: Packet | undefined) => void) | undefined;
  private readonly decoder: Decoder;
  private closedPromise: Promise<void>;
  /** Whether the socket has closed (the broker closed it, or we did). */
  closed = false;
  decodeError: unknown;

  constructor(
    readonly socket: Socket,
    readonly protocolVersion: ProtocolVersion,
  ) {
    this.decoder = new Decoder({ role: "client", protocolVersion });
    socket.on("data", (chunk: Buffer) => {
      this.decoder.push(chunk);
      try {
        for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
          this.deliver(packet);
        }
      } catch (error) {
        this.decodeError = error;
      }
    });
    socket.on("error", () => {});
    this.closedPromise = new Promise((resolve) => {
      socket.once("close", () => {
        this.closed = true;
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter?.(undefined);
        resolve();
      });
    });
  }

  send(packet: Packet): void {
    this.socket.write(encode(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next packet from the broker; rejects on timeout or when the socket closes first. */
  next(timeoutMs = DEFAULT_WAIT_MS): Promise<Packet> {
    const queued = this.packets.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed)
      return Promise.reject(new Error("connection closed while waiting for a packet"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no packet within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (packet) => {
        clearTimeout(timer);
        if (packet === undefined) reject(new Error("connection closed while waiting for a packet"));
        else resolve(packet);
      };
    });
  }

  /** The next packet, which must be of `type`. */
  async expect<T extends PacketType>(type: T, timeoutMs?: number): Promise<PacketOf<T>> {
    const packet = await this.next(timeoutMs);
    if (packet.type !== type) {
      throw new Error(`expected ${type}, got ${packet.type}: ${JSON.stringify(packet)}`);
    }
    return packet as PacketOf<T>;
  }

  /** Resolves when no packet arrives within `ms` (rejects with the packet otherwise). */
  async expectNothing(ms = 200): Promise<void> {
    try {
      const packet = await this.next(ms);
      throw new Error(`unexpected ${packet.type}: ${JSON.stringify(packet)}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("no packet within")) return;
      throw error;
    }
  }

  /** Resolves once the broker (or we) closed the socket; rejects after `timeoutMs`. */
  waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return Promise.race([
      this.closedPromise,
      new Promise<void>((_, reject) =>
        setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
  }

  /** CONNECT with defaults (clean session, keepalive 0) and the CONNACK. */
  async connect(fields: Partial<ConnectPacket> & { clientId: string }): Promise<ConnackPacket> {
    this.send({
      type: "connect",
      protocolVersion: this.protocolVersion,
      clean: true,
      keepalive: 0,
      ...fields,
    });
    return this.expect("connack");
  }

  destroy(): void {
    this.socket.destroy();
  }

  private deliver(packet: Packet): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter(packet);
    } else {
      this.packets.push(packet);
    }
  }
}

/** Opens a TCP connection to the broker on 127.0.0.1:`port`. */
export function connectRaw(port: number, protocolVersion: ProtocolVersion = 4): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: "127.0.0.1" });
    socket.setNoDelay(true);
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(new RawClient(socket, protocolVersion));
    });
  });
}
