/**
 * Sessions by client id: each one's ServerSession engine, its subscriptions and its current
 * connection.
 *
 * Design: memory is the working copy; the SessionStore receives every change of a
 * persistent session (created, subscriptions changed, disconnected with its engine snapshot,
 * deleted) in call order, without the hot path waiting for it. A session's lifecycle:
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
 * The gauges of BrokerStats about clients and subscriptions are kept here, where they change.
 */
import type { ProtocolVersion, QoS } from "@ternmq/codec";
import {
  ServerSession,
  type SessionRecord,
  type SessionSnapshot,
  type SessionStore,
} from "@ternmq/session";
import type { Logger } from "pino";
import type { Connection } from "./connection.js";
import type { Router } from "./router.js";
import type { BrokerLimits, BrokerStats } from "./types.js";

/** A 3.1.1 persistent session never expires (the store's "never" value). */
const NEVER_EXPIRES = 0xffff_ffff;

export interface SessionEntry {
  readonly clientId: string;
  readonly engine: ServerSession;
  /** Topic filter -> granted QoS. */
  readonly subscriptions: Map<string, QoS>;
  /** The connection of the client, while it is connected. */
  connection: Connection | undefined;
  /** Clean Session 0: kept while the client is offline. */
  readonly persistent: boolean;
  readonly createdAt: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly logStoreError = (error: unknown): void => {
    this.logger.error({ err: error }, "session store write failed");
  };

  constructor(
    private readonly router: Router,
    private readonly store: SessionStore,
    private readonly stats: BrokerStats,
    private readonly limits: BrokerLimits,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  get(clientId: string): SessionEntry | undefined {
    return this.sessions.get(clientId);
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
    this.sessions.get(clientId)?.connection?.close("takeover"); // [MQTT-3.1.4-2]
    let entry = this.sessions.get(clientId);
    if (entry !== undefined && clean) {
      this.discard(entry);
      entry = undefined;
    }
    const sessionPresent = entry !== undefined;
    if (entry === undefined) {
      entry = this.create(clientId, !clean, protocolVersion);
    } else {
      this.stats.clientsDisconnected--;
    }
    entry.connection = connection;
    this.stats.clientsConnected++;
    if (this.stats.clientsConnected > this.stats.clientsMaximum) {
      this.stats.clientsMaximum = this.stats.clientsConnected;
    }
    this.updateClientGauge();
    if (entry.persistent) this.save(entry, undefined);
    return { entry, sessionPresent };
  }

  /** The connection of `entry` ended: keep a persistent session, discard a clean one. */
  detach(entry: SessionEntry, connection: Connection): void {
    if (entry.connection !== connection) return;
    entry.connection = undefined;
    entry.engine.connectionLost();
    this.stats.clientsConnected--;
    if (entry.persistent) {
      this.stats.clientsDisconnected++;
      this.save(entry, this.now());
    } else {
      this.discard(entry); // [MQTT-3.1.2-6]
    }
    this.updateClientGauge();
  }

  /** Adds or replaces one subscription (already validated and authorized). */
  subscribe(entry: SessionEntry, filter: string, qos: QoS): void {
    entry.subscriptions.set(filter, qos);
    this.router.subscribe(entry, filter, qos);
    this.stats.subscriptionsCount = this.router.subscriptionCount;
  }

  /** Removes one subscription; false when there was none. */
  unsubscribe(entry: SessionEntry, filter: string): boolean {
    if (!entry.subscriptions.delete(filter)) return false;
    this.router.unsubscribe(entry, filter);
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    return true;
  }

  /** Writes the subscriptions of a persistent session to the store. */
  subscriptionsChanged(entry: SessionEntry): void {
    if (!entry.persistent) return;
    this.store
      .update(entry.clientId, { updatedAt: this.now(), subscriptions: storedSubscriptions(entry) })
      .catch(this.logStoreError);
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
      if (record === undefined) continue;
      const entry = this.create(clientId, true, 4, record.snapshot, record.createdAt);
      for (const { topicFilter, qos } of record.subscriptions) {
        entry.subscriptions.set(topicFilter, qos);
        this.router.subscribe(entry, topicFilter, qos);
      }
      this.stats.clientsDisconnected++;
    }
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.updateClientGauge();
  }

  /** Broker shutdown: writes every persistent session with its engine state. */
  async persistAll(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const entry of this.sessions.values()) {
      if (entry.persistent) writes.push(this.store.save(this.record(entry, this.now())));
    }
    await Promise.allSettled(writes);
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
    };
    const engine = new ServerSession(options, snapshot);
    const entry: SessionEntry = {
      clientId,
      engine,
      subscriptions: new Map(),
      connection: undefined,
      persistent,
      createdAt,
    };
    this.sessions.set(clientId, entry);
    return entry;
  }

  /** Forgets a session that has no connection, with its subscriptions. */
  private discard(entry: SessionEntry): void {
    for (const filter of entry.subscriptions.keys()) this.router.unsubscribe(entry, filter);
    entry.subscriptions.clear();
    this.stats.subscriptionsCount = this.router.subscriptionCount;
    this.sessions.delete(entry.clientId);
    if (entry.persistent) {
      this.stats.clientsDisconnected--;
      this.store.delete(entry.clientId).catch(this.logStoreError);
    }
  }

  private updateClientGauge(): void {
    this.stats.clientsTotal = this.stats.clientsConnected + this.stats.clientsDisconnected;
  }

  private save(entry: SessionEntry, disconnectedAt: number | undefined): void {
    this.store.save(this.record(entry, disconnectedAt)).catch(this.logStoreError);
  }

  private record(entry: SessionEntry, disconnectedAt: number | undefined): SessionRecord {
    const record: SessionRecord = {
      clientId: entry.clientId,
      createdAt: entry.createdAt,
      updatedAt: this.now(),
      sessionExpiryInterval: NEVER_EXPIRES,
      subscriptions: storedSubscriptions(entry),
      snapshot: entry.engine.snapshot(),
    };
    if (disconnectedAt !== undefined) record.disconnectedAt = disconnectedAt;
    return record;
  }
}

function storedSubscriptions(entry: SessionEntry): { topicFilter: string; qos: QoS }[] {
  const list: { topicFilter: string; qos: QoS }[] = [];
  for (const [topicFilter, qos] of entry.subscriptions) list.push({ topicFilter, qos });
  return list;
}
