/**
 * Test harness: a ClientSession and a ServerSession joined by a simulated link.
 *
 * The link is two FIFO channels (one per direction), like one TCP connection: a packet is
 * delivered whole, in order, or lost together with everything behind it when the
 * connection drops. Everything is explicit and deterministic: the tests decide which packet
 * moves next and when the connection drops.
 */
import type { Packet, QoS } from "@ternmq/codec";
import {
  ClientSession,
  type ClientSessionOptions,
  type MessageEvent,
  ServerSession,
  type ServerSessionOptions,
  type Session,
  type SessionEvent,
  type SessionMessage,
  type Step,
  snapshotFromJson,
  snapshotToJson,
} from "../src/index.js";

export type Side = "client" | "server";

export function other(side: Side): Side {
  return side === "client" ? "server" : "client";
}

/** A message whose payload is the 4-byte big-endian `serial` (to recognise deliveries). */
export function message(serial: number, qos: QoS, topic = "t"): SessionMessage {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, serial);
  return { topic, payload, qos, retain: false };
}

export function serialOf(message: SessionMessage): number {
  return new DataView(
    message.payload.buffer,
    message.payload.byteOffset,
    message.payload.byteLength,
  ).getUint32(0);
}

export interface PairOptions {
  client?: ClientSessionOptions;
  server?: ServerSessionOptions;
}

export class Pair {
  client: ClientSession;
  server: ServerSession;
  now = 0;
  /** Packets in transit towards each side, oldest first. */
  readonly toward: Record<Side, Packet[]> = { client: [], server: [] };
  /** Every event each side produced, in order. */
  readonly events: Record<Side, SessionEvent[]> = { client: [], server: [] };
  /** Every packet delivered to each side, in order. */
  readonly delivered: Record<Side, Packet[]> = { client: [], server: [] };

  constructor(private readonly options: PairOptions = {}) {
    this.client = new ClientSession(options.client);
    this.server = new ServerSession(options.server);
  }

  /**
   * `side` restarts (the connection must be down): its engine is rebuilt from a snapshot
   * that went through JSON, as a store would keep it.
   */
  restart(side: Side): void {
    const json = snapshotToJson(this.session(side).snapshot());
    if (side === "client") {
      this.client = ClientSession.fromSnapshot(snapshotFromJson(json), this.options.client);
    } else {
      this.server = ServerSession.fromSnapshot(snapshotFromJson(json), this.options.server);
    }
  }

  session(side: Side): Session {
    return side === "client" ? this.client : this.server;
  }

  /** Records what `side` produced: its packets go toward the other side. */
  accept(side: Side, step: Step): Step {
    this.toward[other(side)].push(...step.send);
    this.events[side].push(...step.events);
    return step;
  }

  /** CONNECT/CONNACK done: the server, then the client, learn whether the session continues. */
  connect(sessionPresent: boolean): { client: Step; server: Step } {
    const server = this.accept("server", this.server.connected(this.now, { sessionPresent }));
    const client = this.accept("client", this.client.connected(this.now, { sessionPresent }));
    return { client, server };
  }

  /** The connection drops: everything in transit is lost. */
  disconnect(): void {
    this.toward.client.length = 0;
    this.toward.server.length = 0;
    this.accept("client", this.client.connectionLost());
    this.accept("server", this.server.connectionLost());
  }

  publish(side: Side, message: SessionMessage): Step {
    return this.accept(side, this.session(side).publish(message, this.now));
  }

  /** Delivers the oldest packet in transit toward `side`; false if there is none. */
  deliverNext(side: Side): boolean {
    const packet = this.toward[side].shift();
    if (packet === undefined) return false;
    this.delivered[side].push(packet);
    this.accept(side, this.session(side).handlePacket(packet, this.now));
    return true;
  }

  /** Delivers packets, alternating directions, until both channels are empty. */
  settle(limit = 10_000): void {
    for (let round = 0; round < limit; round++) {
      const moved = this.deliverNext("server") || this.deliverNext("client");
      if (!moved) return;
    }
    throw new Error("link did not settle");
  }

  /** Messages `side` received (message events), in order. */
  received(side: Side): MessageEvent[] {
    return this.events[side].filter((event): event is MessageEvent => event.type === "message");
  }
}

/** A compact description of a packet for table assertions. */
export function describePacket(packet: Packet): string {
  switch (packet.type) {
    case "publish":
      return `publish q${packet.qos}${packet.dup ? " dup" : ""}${packet.packetId === undefined ? "" : ` #${packet.packetId}`}`;
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return `${packet.type} #${packet.packetId}`;
    default:
      return packet.type;
  }
}
