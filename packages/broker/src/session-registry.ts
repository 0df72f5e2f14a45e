/**
 * Sessions by client id: each one's ServerSession engine, its subscriptions and its current
 * connection.
 *
 * Design: memory is the working copy; the SessionStore receives every change of a
 * persistent session in call order: the whole record when it is created, then `update`s
 * (connected again, subscriptions changed, disconnected) and the engine's journal: a
 * persistent session's engine runs with `journal: true` and every Step's `changes` are
 * written as they happen (`journal()`), so the stored snapshot always equals the engine's.
 * Nothing waits here: every write is tracked by the write-ahead gate (`WriteAhead`), which
 * holds the packets that depend on it and stops the broker if one fails. A session's
 * lifecycle:
 *
 * ```
 *   open(clean 1) ──▶ connected ──detach──▶ discarded        [MQTT-3.1.2-6]
 *   open(clean 0) ──▶ connected ──detach──▶ offline (kept; QoS 1/2 queued by the engine)
 *                       ▲                      │
 *                       └──── open(clean 0) ───┘  session present [MQTT-3.2.2-2]
 *   offline ── open(clean 1) ──▶ discarded, then a new session    [MQTT-3.2.2-1]
 *   connected ── open(same id) ──▶ old connection closed ("takeover") first [MQTT-3.1.4-2]
 * ```
 *
 * Cluster mode (`cluster` set): a node holds a session only while its client is connected
 * here. A persistent session is loaded from the shared store when its client connects
 * (`adopt`) and leaves the node when the connection ends (`detach` writes the disconnect,
 * forgets it, releases its ownership); clean sessions announce their filters to the other
 * nodes (`ClusterBus.addCleanRoute`). See cluster.ts.
 *
 * Housekeeping: with `maxSessionAgeMs`, `sweep()` deletes offline persistent sessions
 * disconnected for that long (3.1.1 sessions never expire by themselves, so it is off by
 * default). The gauges of BrokerStats about clients and subscriptions are kept here, where
 * they change.
 */
import type { ProtocolVersion, QoS } from "@ternmq/codec";
import {
  ServerSession,
  type SessionChanges,
  type SessionRecord,
  type SessionSnapshot,
  type SessionStore,
  type SnapshotChanges,
} from "@ternmq/session";
import type { Logger } from "pino";
import type { ClusterBus } from "./cluster.js";
import type { Connection } from "./connection.js";
import type { Router } from "./router.js";
import type { BrokerLimits, BrokerStats } from "./types.js";
import type { WriteAhead } from "./write-ahead.js";

/** A 3.1.1 persistent session never expires (the store's "never" value). */
const NEVER_EXPIRES = 0xffff_ffff;

/**
 * Every session starts with this shared, never written map: a client that never subscribes
 * (a publisher, an idle connection) does not pay for a Map of its own (about 240 bytes).
 */
const NO_SUBSCRIPTIONS: ReadonlyMap<string, QoS> = new Map();

/** The session's own subscription map, created on its first subscription. */
function ownSubscriptions(entry: SessionEntry): Map<string, QoS> {
  if (entry.subscriptions === NO_SUBSCRIPTIONS) entry.subscriptions = new Map();
  return entry.subscriptions as Map<string, QoS>;
}

export interface SessionEntry {
  readonly clientId: string;
  readonly engine: ServerSession;
  /**
   * Topic filter -> granted QoS. Read-only here: the registry writes it (`subscribe`,
   * `unsubscribe`), replacing the shared empty map on the first subscription.
   */
  subscriptions: ReadonlyMap<string, QoS>;
  /** The connection of the client, while it is connected. */
  connection: Connection | undefined;
  /** Clean Session 0: kept while the client is offline. */
  readonly persistent: boolean;
  readonly createdAt: number;
  /** When its last connection ended (ms); undefined while connected. */
  disconnectedAt: number | undefined;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionEntry>();
  /** The cluster this node belongs to (set by the Broker in cluster mode). */
  cluster: ClusterBus | undefined;
  /** The client id whose connection `open` is closing to give its session a new one. */
  private takingOver: string | undefined;

  constructor(
    private readonly router: Router,
    private readonly store: SessionStore,
    private readonly writes: WriteAhead,
    private readonly stats: BrokerStats,
    private readonly limits: BrokerLimits,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  get(clientId: string): SessionEntry | undefined {
    return this.sessions.get(clientId);
  }

  /** Every session, connected or offline (for inspection). */
  entries(): IterableIterator<SessionEntry> {
    return this.sessions.values();
  }

  /**
   * Gives `connection` the session of `clientId`, after closing a connection that holds it
   * ("takeover", which publishes that connection's will). Returns the session and the
   * CONNACK Session Present flag [MQTT-3.2.2-1..3].
   */
  open(
    clientId: string,
    clean: boolean,
    protocolVersion: ProtocolVersion,
    connection: Connection,
  ): { entry: SessionEntry; sessionPresent: boolean } {
    // [MQTT-3.1.4-2]; the session stays on this node for the new connection (cluster mode).
    this.takingOver = clientId;
    try {
      this.sessions.get(clientId)?.connection?.close("takeover");
    } finally {
      this.takingOver = undefined;
    }
    let entry = this.sessions.get(clientId);
    if (entry !== undefined && clean) {
      this.discard(entry);
      entry = undefined;
    }
    const sessionPresent = entry !== undefined;
    if (entry === undefined) {
      entry = this.create(clientId, !clean, protocolVersion);
      if (entry.persistent) this.writes.track(this.store.save(this.record(entry)));
    } else {
      this.stats.clientsDisconnected--;
      entry.disconnectedAt = undefined;
      this.write(entry, { disconnectedAt: null });
    }
    entry.connection = connection;
    this.stats.clientsConnected++;
    if (this.stats.clientsConnected > this.stats.clientsMaximum) {
      this.stats.clientsMaximum = this.stats.clientsConnected;
    }
    this.updateClientGauge();
    return { entry, sessionPresent };
  }

  /** The connection of `entry` ended: keep a persistent session, discard a clean one. */
  detach(entry: SessionEntry, connection: Connection): void {
    if (entry.connection !== connection) return;
    entry.connection = undefined;
    const changes = entry.engine.connectionLost().changes;
    this.stats.clientsConnected--;
    if (entry.persistent) {
      this.stats.clientsDisconnected++;
      const now = this.now();
      entry.disconnectedAt = now;
      this.write(entry, { ...changes, disconnectedAt: now });
    } else {
      this.discard(entry); // [MQTT-3.1.2-6]
    }
    this.updateClientGauge();
    const cluster = this.cluster;
    if (cluster !== undefined && this.takingOver !== entry.clientId) {
      if (entry.persistent) this.forget(entry); // offline sessions live in the store
      this.writes.track(cluster.release(entry.clientId));
    }
  }

  /**
   * Cluster mode: makes the stored session `record` this node's (offline until `open`), with
   * its subscriptions and engine state, unless the node holds a session of that id already.
   */
  adopt(record: SessionRecord): void {
    if (this.sessions.has(record.clientId)) return;
    this.addStored(record);
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.updateClientGauge();
  }

  /**
   * Cluster mode: the node stops holding an offline session (its state stays in the store):
   * its subscriptions leave the router, the entry leaves the registry.
   */
  forget(entry: SessionEntry): void {
    if (entry.connection !== undefined || this.sessions.get(entry.clientId) !== entry) return;
    for (const filter of entry.subscriptions.keys()) this.router.unsubscribe(entry, filter);
    entry.subscriptions = NO_SUBSCRIPTIONS;
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.sessions.delete(entry.clientId);
    if (entry.persistent) this.stats.clientsDisconnected--;
    this.updateClientGauge();
  }

  /** Adds or replaces one subscription (already validated and authorized). */
  subscribe(entry: SessionEntry, filter: string, qos: QoS): void {
    const cluster = this.cluster;
    if (cluster !== undefined && !entry.persistent && !entry.subscriptions.has(filter)) {
      cluster.addCleanRoute(filter);
    }
    ownSubscriptions(entry).set(filter, qos);
    this.router.subscribe(entry, filter, qos);
    this.stats.subscriptionsCount = this.router.subscriptionCount;
  }

  /** Removes one subscription; false when there was none. */
  unsubscribe(entry: SessionEntry, filter: string): boolean {
    if (!entry.subscriptions.has(filter)) return false;
    ownSubscriptions(entry).delete(filter);
    if (!entry.persistent) this.cluster?.removeCleanRoute(filter);
    this.router.unsubscribe(entry, filter);
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    return true;
  }

  /** Writes the subscriptions of a persistent session to the store. */
  subscriptionsChanged(entry: SessionEntry): void {
    if (entry.persistent) this.write(entry, { subscriptions: storedSubscriptions(entry) });
  }

  /** Writes the changes of one engine Step of a persistent session (see the module comment). */
  journal(entry: SessionEntry, changes: SnapshotChanges): void {
    this.write(entry, { ...changes });
  }

  /**
   * Broker start: loads every session of the store as an offline persistent session, with
   * its subscriptions and its engine state (queued and unacknowledged messages), so that
   * messages for it are queued again and its client resumes it with Session Present 1.
   */
  async restore(): Promise<void> {
    for await (const clientId of this.store.clientIds()) {
      if (this.sessions.has(clientId)) continue;
      const record = await this.store.load(clientId);
      if (record !== undefined) this.addStored(record);
    }
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.updateClientGauge();
  }

  /**
   * Deletes every offline persistent session disconnected at least `maxAgeMs` before `now`.
   * Returns: how many were deleted.
   */
  sweep(now: number, maxAgeMs: number): number {
    let deleted = 0;
    for (const entry of this.sessions.values()) {
      const disconnectedAt = entry.disconnectedAt;
      if (entry.connection !== undefined || disconnectedAt === undefined) continue;
      if (now - disconnectedAt < maxAgeMs) continue;
      this.discard(entry);
      this.logger.info({ clientId: entry.clientId, disconnectedAt }, "session expired: deleted");
      deleted++;
    }
    if (deleted > 0) this.updateClientGauge();
    return deleted;
  }

  /** A stored session as an offline entry, with its subscriptions in the router. */
  private addStored(record: SessionRecord): void {
    const entry = this.create(record.clientId, true, 4, record.snapshot, record.createdAt);
    // A session whose broker stopped while it was connected counts from its last change.
    entry.disconnectedAt = record.disconnectedAt ?? record.updatedAt;
    for (const { topicFilter, qos } of record.subscriptions) {
      ownSubscriptions(entry).set(topicFilter, qos);
      this.router.subscribe(entry, topicFilter, qos);
    }
    this.stats.clientsDisconnected++;
  }

  private create(
    clientId: string,
    persistent: boolean,
    protocolVersion: ProtocolVersion,
    snapshot?: SessionSnapshot,
    createdAt = this.now(),
  ): SessionEntry {
    const limits = this.limits;
    const options = {
      protocolVersion,
      inflightWindow: limits.maxInflight,
      queue: { maxMessages: limits.maxQueuedMessages, maxBytes: limits.maxQueuedBytes },
      autoAcknowledge: false, // acknowledged once routed and stored
      journal: persistent, // clean sessions write nothing and pay nothing
    };
    const engine = new ServerSession(options, snapshot);
    const entry: SessionEntry = {
      clientId,
      engine,
      subscriptions: NO_SUBSCRIPTIONS,
      connection: undefined,
      persistent,
      createdAt,
      disconnectedAt: undefined,
    };
    this.sessions.set(clientId, entry);
    return entry;
  }

  /** Forgets a session that has no connection, with its subscriptions. */
  private discard(entry: SessionEntry): void {
    const cluster = entry.persistent ? undefined : this.cluster;
    for (const filter of entry.subscriptions.keys()) {
      this.router.unsubscribe(entry, filter);
      cluster?.removeCleanRoute(filter);
    }
    entry.subscriptions = NO_SUBSCRIPTIONS;
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.sessions.delete(entry.clientId);
    if (entry.persistent) {
      this.stats.clientsDisconnected--;
      this.writes.track(this.store.delete(entry.clientId));
    }
  }

  private updateClientGauge(): void {
    this.stats.clientsTotal = this.stats.clientsConnected + this.stats.clientsDisconnected;
  }

  /** One tracked `update` of a persistent session, stamped with `updatedAt`. */
  private write(entry: SessionEntry, changes: SessionChanges): void {
    if (!entry.persistent) return; // a clean session has no record (and no journal)
    changes.updatedAt = this.now();
    this.writes.track(this.store.update(entry.clientId, changes));
  }

  /** The whole record of a new persistent session (connected: no `disconnectedAt`). */
  private record(entry: SessionEntry): SessionRecord {
    return {
      clientId: entry.clientId,
      createdAt: entry.createdAt,
      updatedAt: this.now(),
      sessionExpiryInterval: NEVER_EXPIRES,
      subscriptions: storedSubscriptions(entry),
      snapshot: entry.engine.snapshot(),
    };
  }
}

function storedSubscriptions(entry: SessionEntry): { topicFilter: string; qos: QoS }[] {
  const list: { topicFilter: string; qos: QoS }[] = [];
  for (const [topicFilter, qos] of entry.subscriptions) list.push({ topicFilter, qos });
  return list;
}
