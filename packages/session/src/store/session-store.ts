/**
 * The persistence seam for sessions: what a broker keeps per client id so that a session
 * survives a reconnect, a broker restart (durable store) or a move to another broker node
 * (Redis store).
 *
 * Design: a session is one `SessionRecord`, written whole by `save` when it is created or
 * replaced (CONNECT, takeover) and changed in place by `update` for everything that happens
 * per message (queue a message for an offline subscriber, record or clear an inflight packet
 * id, record or clear a QoS 2 id awaiting PUBREL). `update` is atomic, so a store never
 * rewrites a whole session per message and a crash never leaves half a change (a message
 * both queued and inflight, or neither). The record's `snapshot` is the engine's
 * `SessionSnapshot`: `load` returns exactly what `save` and the `update`s since produced.
 *
 * Contract shared by every method (checked by `describeSessionStoreConformance`):
 * - Call order: operations take effect in the order they are CALLED. The effect of a call
 *   is visible to every call made after it, even before its promise resolves, so
 *   `Promise.all` of many `update`s keeps their order.
 * - Durability: when a write's promise resolves, its effect is durable, i.e. it survives
 *   whatever the store promises to survive (the memory store: nothing beyond the process;
 *   a durable store: a crash of the process). A broker sends PUBACK/PUBREC only after the
 *   writes for that message resolved. Stores may commit the writes of one event-loop turn
 *   together (group commit); each call still resolves only once its own effect is durable.
 * - Failure: a rejected write changed nothing. Every rejection is a `StoreError`.
 * - Isolation: stores copy plain objects and arrays on the way in and on the way out, so
 *   callers can neither mutate stored state nor see later changes in returned values.
 *   `Uint8Array` contents (payloads, correlation data) are not copied by the memory store:
 *   TernMQ treats message bytes as immutable once published. Optional fields set to
 *   `undefined` may come back absent.
 * - Close: `close()` resolves once every write called before it is durable; it is
 *   idempotent. Afterwards every other method rejects with `MQTT_ERR_STORE_CLOSED`.
 */
import type { Subscription, Will } from "@ternmq/codec";
import type { OutboundInflight, SessionMessage, SessionSnapshot } from "../snapshot.js";

/** A subscription as the broker keeps it for a session: the SUBSCRIBE entry plus its 5.0 id. */
export interface StoredSubscription extends Subscription {
  /** 5.0 Subscription Identifier (1-268435455) sent with SUBSCRIBE, if any. */
  subscriptionIdentifier?: number;
}

/** Everything persisted for one client id. */
export interface SessionRecord {
  clientId: string;
  /** When the session was created, in milliseconds since the Unix epoch (caller's clock). */
  createdAt: number;
  /** When the session was last changed by the broker, in milliseconds (caller's clock). */
  updatedAt: number;
  /**
   * Session Expiry Interval in seconds (5.0 CONNECT/DISCONNECT property 0x11): the session
   * ends this long after the network connection closes; 0xFFFFFFFF never expires. For a
   * 3.1.1 client the broker stores 0xFFFFFFFF for CleanSession=0.
   */
  sessionExpiryInterval: number;
  /**
   * When the last network connection of this session closed, in milliseconds; absent while
   * a connection is open. The session expires at `disconnectedAt + sessionExpiryInterval *
   * 1000`, a delayed 5.0 will is due at `disconnectedAt + willDelayInterval * 1000`.
   */
  disconnectedAt?: number;
  /** The session's subscriptions, in the order the broker keeps them. */
  subscriptions: StoredSubscription[];
  /** The will message of the open (or last) connection, kept for 5.0 delayed wills. */
  will?: Will;
  /** The engine's delivery state. */
  snapshot: SessionSnapshot;
}

/**
 * An atomic change to one stored session. Every field is optional; `update` applies the
 * given ones in this order: the record fields, `dequeue`, `enqueue`, `removeInflight`,
 * `putInflight`, `nextPacketId`, `removeAwaitingPubrel`, `addAwaitingPubrel`. So a packet
 * id acknowledged and reused in the same change ends up last in its list.
 */
export interface SessionChanges {
  updatedAt?: number;
  sessionExpiryInterval?: number;
  /** A number sets it, `null` clears it (a connection is open again). */
  disconnectedAt?: number | null;
  /** Replaces the whole list (SUBSCRIBE/UNSUBSCRIBE; lists are short). */
  subscriptions?: readonly StoredSubscription[];
  /** A will sets it, `null` clears it (normal DISCONNECT, will published). */
  will?: Will | null;
  /**
   * Removes this many messages from the head of `snapshot.outbound.queued` (the engine took
   * them to send). More than are queued rejects with `MQTT_ERR_STORE_INVALID_CHANGE`.
   */
  dequeue?: number;
  /** Appends to the tail of `snapshot.outbound.queued`, in this order. */
  enqueue?: readonly SessionMessage[];
  /**
   * Removes outbound inflight entries by packet id (PUBACK, PUBCOMP). An id that is not
   * inflight is ignored: a duplicate acknowledgement is not a store failure.
   */
  removeInflight?: readonly number[];
  /**
   * Upserts outbound inflight entries by packet id. A new id goes after every other entry
   * (the order first sent [MQTT-4.4.0-1]); a known id is replaced in place (PUBREC received:
   * `awaiting-pubrec` becomes `awaiting-pubcomp`).
   */
  putInflight?: readonly OutboundInflight[];
  /** Sets `snapshot.outbound.nextPacketId` (1-65535). */
  nextPacketId?: number;
  /** Removes QoS 2 packet ids whose PUBREL arrived; unknown ids are ignored. */
  removeAwaitingPubrel?: readonly number[];
  /** Adds QoS 2 packet ids this side sent PUBREC for; an id already there keeps its place. */
  addAwaitingPubrel?: readonly number[];
}

/**
 * The part of `SessionChanges` the session engine produces: its journal (`Step.changes` of a
 * session created with `journal: true`). Record fields (`updatedAt`, `subscriptions`, ...) are
 * the broker's.
 */
export type SnapshotChanges = Pick<
  SessionChanges,
  | "dequeue"
  | "enqueue"
  | "removeInflight"
  | "putInflight"
  | "nextPacketId"
  | "removeAwaitingPubrel"
  | "addAwaitingPubrel"
>;

/**
 * Sessions by client id. All methods are async and settle; see the module comment for the
 * call-order, durability, failure, isolation and close contract.
 */
export interface SessionStore {
  /**
   * Reads one session.
   *
   * Returns: a copy of the record, or `undefined` when there is none. Rejects with
   * `MQTT_ERR_STORE_SNAPSHOT_VERSION` when the stored snapshot has a version this release
   * cannot read.
   */
  load(clientId: string): Promise<SessionRecord | undefined>;

  /**
   * Creates or wholly replaces the session of `record.clientId` (nothing of a previous
   * record survives). Durable when resolved. Rejects with `MQTT_ERR_STORE_SNAPSHOT_VERSION`
   * when `record.snapshot.version` is not `SESSION_SNAPSHOT_VERSION`.
   */
  save(record: SessionRecord): Promise<void>;

  /**
   * Applies `changes` to an existing session atomically: all of it is durable when the
   * promise resolves, none of it is applied when it rejects. Rejects with
   * `MQTT_ERR_STORE_SESSION_NOT_FOUND` when there is no session for `clientId` (for example
   * it expired and was deleted), and with `MQTT_ERR_STORE_INVALID_CHANGE` for a packet id
   * outside 1-65535 or a `dequeue` beyond the queue.
   */
  update(clientId: string, changes: SessionChanges): Promise<void>;

  /** Removes the session and everything of it; durable when resolved. Unknown ids: no-op. */
  delete(clientId: string): Promise<void>;

  /**
   * Every stored client id, for restart recovery and expiry sweeps, in no particular order.
   * Each session that exists for the whole iteration is yielded exactly once; sessions
   * saved or deleted meanwhile may or may not be. Iterating a closed store rejects with
   * `MQTT_ERR_STORE_CLOSED`.
   */
  clientIds(): AsyncIterable<string>;

  /** Waits for pending writes, then releases resources. Idempotent. */
  close(): Promise<void>;
}
