/**
 * Read-only inspection of a running broker for operations tools (metrics, an admin API,
 * dashboards): the clients with their sessions, subscriptions, retained topics, listeners,
 * traffic by QoS, counts of connects, disconnects and drops by reason, the store's state and
 * the latency of its writes. One action besides reading: `disconnect(clientId)`.
 *
 * Design: the Broker builds one BrokerInspector over its BrokerContext. Everything here is
 * computed when asked (a scrape walks the sessions once); the hot path pays only the
 * `TrafficCounters` increments (two per PUBLISH received, two per PUBLISH sent). The reason
 * counters listen to events the broker emits anyway (connect, disconnect, drop), so they count
 * from the broker's start whenever a tool attaches. Store write latency is measured only
 * while someone listens (`onStoreWrite`): without a listener the write-ahead gate takes no
 * timestamp.
 */
import type { QoS } from "@ternmq/codec";
import type { RetainedStore } from "@ternmq/session";
import type { BrokerContext } from "./context.js";
import type { SessionEntry } from "./session-registry.js";
import type { DisconnectReason } from "./types.js";

/** Counts indexed by QoS: `[qos0, qos1, qos2]`. */
export type QoSCounts = [number, number, number];

/** PUBLISH traffic by QoS (monotonic). Bytes are payload bytes. */
export interface TrafficCounters {
  /** PUBLISH packets from clients taken for handling, by their QoS. */
  readonly received: QoSCounts;
  readonly receivedBytes: QoSCounts;
  /** PUBLISH packets written to clients, by the QoS they were delivered at. */
  readonly sent: QoSCounts;
  readonly sentBytes: QoSCounts;
}

export function createTrafficCounters(): TrafficCounters {
  return { received: [0, 0, 0], receivedBytes: [0, 0, 0], sent: [0, 0, 0], sentBytes: [0, 0, 0] };
}

/** One listener the broker has bound (closed ones are left out). */
export interface ListenerInfo {
  readonly type: "tcp" | "tls" | "ws" | "wss";
  readonly host: string;
  readonly port: number;
  /** WebSocket path (ws, wss). */
  readonly path?: string;
}

/**
 * The broker's stores as seen by a readiness probe: "loading" while the stored sessions and
 * retained count are read at start, "open", "failed" after a write failed (the broker then
 * stops), "closed" once the broker closed.
 */
export type StoreState = "loading" | "open" | "failed" | "closed";

/** One session, connected or not, at the moment it was asked for. */
export interface ClientDetails {
  readonly clientId: string;
  readonly connected: boolean;
  /** Clean session 0: kept while offline. */
  readonly persistent: boolean;
  /** Of the current connection (undefined while offline). */
  readonly username: string | undefined;
  readonly remoteAddress: string | undefined;
  readonly protocolVersion: number | undefined;
  /** Keepalive in force, seconds (0: none). */
  readonly keepaliveSeconds: number | undefined;
  /** ms epoch (the broker's clock). */
  readonly connectedAt: number | undefined;
  readonly disconnectedAt: number | undefined;
  readonly createdAt: number;
  readonly subscriptions: readonly { topicFilter: string; qos: QoS }[];
  /** Outbound QoS 1/2 messages awaiting acknowledgement. */
  readonly inflight: number;
  /** Messages waiting in the session queue (offline, or past the inflight window). */
  readonly queued: number;
  readonly queuedBytes: number;
}

/** A retained message (the payload is the stored one, shared: do not change it). */
export interface RetainedSummary {
  readonly topic: string;
  readonly qos: QoS;
  readonly bytes: number;
  readonly payload: Uint8Array;
  readonly receivedAt: number | undefined;
}

/** Sums over every session. */
export interface SessionTotals {
  readonly inflight: number;
  readonly queued: number;
  readonly queuedBytes: number;
}

export class BrokerInspector {
  /** Accepted CONNECTs (monotonic). */
  connects = 0;
  /** `client-disconnected` events by reason (monotonic). */
  readonly disconnects = new Map<DisconnectReason, number>();
  /** `dropped` events by reason (monotonic). */
  readonly drops = new Map<string, number>();

  constructor(
    private readonly context: BrokerContext,
    private readonly retainedStore: RetainedStore,
    private readonly brokerState: () => "running" | "closing" | "closed",
    private readonly boundListeners: () => ListenerInfo[],
  ) {
    const events = context.events;
    events.on("client-connected", () => {
      this.connects++;
    });
    events.on("client-disconnected", (_client, reason) => {
      this.disconnects.set(reason, (this.disconnects.get(reason) ?? 0) + 1);
    });
    events.on("dropped", (_clientId, reason, count) => {
      this.drops.set(reason, (this.drops.get(reason) ?? 0) + count);
    });
  }

  /** PUBLISH counts and payload bytes by QoS, in and out (live object, updated in place). */
  get traffic(): TrafficCounters {
    return this.context.traffic;
  }

  get storeState(): StoreState {
    if (this.brokerState() === "closed") return "closed";
    if (this.context.writes.state === "failed") return "failed";
    return this.context.restoring === undefined ? "open" : "loading";
  }

  /** The bound listeners. */
  listeners(): ListenerInfo[] {
    return this.boundListeners();
  }

  /** Every session (connected clients and offline persistent sessions). */
  clients(): ClientDetails[] {
    const list: ClientDetails[] = [];
    for (const entry of this.context.registry.entries()) list.push(details(entry));
    return list;
  }

  client(clientId: string): ClientDetails | undefined {
    const entry = this.context.registry.get(clientId);
    return entry === undefined ? undefined : details(entry);
  }

  /** Inflight and queued messages summed over every session. */
  totals(): SessionTotals {
    let inflight = 0;
    let queued = 0;
    let queuedBytes = 0;
    for (const entry of this.context.registry.entries()) {
      const counters = entry.engine.counters;
      inflight += counters.inflight;
      queued += counters.queued;
      queuedBytes += counters.queuedBytes;
    }
    return { inflight, queued, queuedBytes };
  }

  /** The retained messages, at most `limit` of them (in the store's order). */
  async retained(limit: number): Promise<RetainedSummary[]> {
    const list: RetainedSummary[] = [];
    // "#" leaves out $-topics [MQTT-4.7.2-1]; $SYS is asked for separately.
    for (const filter of ["#", "$SYS/#"]) {
      for await (const message of this.retainedStore.match(filter)) {
        if (list.length >= limit) return list;
        list.push({
          topic: message.topic,
          qos: message.qos,
          bytes: message.payload.length,
          payload: message.payload,
          receivedAt: message.receivedAt,
        });
      }
    }
    return list;
  }

  /**
   * Closes the connection of `clientId` as an administrative action (reason
   * `admin-disconnect`; its will is published, as for any end without DISCONNECT
   * [MQTT-3.1.2-8]). The session stays if it is persistent.
   * Returns: false when the client is not connected.
   */
  disconnect(clientId: string): boolean {
    const connection = this.context.registry.get(clientId)?.connection;
    if (connection === undefined) return false;
    connection.close("admin-disconnect");
    return true;
  }

  /**
   * Calls `listener` with the milliseconds each store write took from issue to durable
   * (commit latency as the broker sees it, group-commit wait included). Returns: a function
   * that stops it. Only one listener at a time; a second one replaces the first.
   */
  onStoreWrite(listener: (milliseconds: number) => void): () => void {
    const writes = this.context.writes;
    writes.writeObserver = listener;
    return () => {
      if (writes.writeObserver === listener) writes.writeObserver = undefined;
    };
  }
}

function details(entry: SessionEntry): ClientDetails {
  const connection = entry.connection;
  const counters = entry.engine.counters;
  const subscriptions: { topicFilter: string; qos: QoS }[] = [];
  for (const [topicFilter, qos] of entry.subscriptions) subscriptions.push({ topicFilter, qos });
  return {
    clientId: entry.clientId,
    connected: connection !== undefined,
    persistent: entry.persistent,
    username: connection?.client?.username,
    remoteAddress: connection?.remoteAddress,
    protocolVersion: connection?.protocolVersion,
    keepaliveSeconds: connection?.keepaliveSeconds,
    connectedAt: connection?.connectedAt,
    disconnectedAt: entry.disconnectedAt,
    createdAt: entry.createdAt,
    subscriptions,
    inflight: counters.inflight,
    queued: counters.queued,
    queuedBytes: counters.queuedBytes,
  };
}
