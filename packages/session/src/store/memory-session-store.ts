/**
 * `SessionStore` kept in the process's memory: the fastest store, and nothing survives a
 * restart. The reference implementation of the contract in session-store.ts.
 *
 * Design: each session is kept in a shape made for the per-message operations rather than
 * as a `SessionRecord`: inflight entries in a `Map` by packet id (insertion order is the
 * order first sent, and `Map.set` on a known id keeps its place), queued messages in a
 * `MessageQueue` (O(1) removal from the head) and the awaiting-PUBREL ids in a `Set`. Every
 * method applies its effect synchronously when called (so call order is effect order) and
 * returns a settled promise; `update` validates the whole change before applying any of it.
 * Values are copied on the way in and out (see copy.ts); payload bytes are shared.
 */
import type { Will } from "@ternmq/codec";
import { type OutboundInflight, SESSION_SNAPSHOT_VERSION } from "../snapshot.js";
import { validateSessionChanges } from "./change-validation.js";
import { copyInflight, copyMessage, copySnapshot, copySubscription, copyWill } from "./copy.js";
import { MessageQueue } from "./message-queue.js";
import type {
  SessionChanges,
  SessionRecord,
  SessionStore,
  StoredSubscription,
} from "./session-store.js";
import { StoreError, storeClosedError } from "./store-error.js";

/** One session in the memory store's internal shape. */
interface MemorySession {
  createdAt: number;
  updatedAt: number;
  sessionExpiryInterval: number;
  disconnectedAt: number | undefined;
  subscriptions: StoredSubscription[];
  will: Will | undefined;
  inflight: Map<number, OutboundInflight>;
  queued: MessageQueue;
  nextPacketId: number;
  awaitingPubrel: Set<number>;
}

/** In-memory `SessionStore`; see the module comment and session-store.ts for the contract. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, MemorySession>();
  private state: "open" | "closed" = "open";

  async load(clientId: string): Promise<SessionRecord | undefined> {
    this.assertOpen();
    const session = this.sessions.get(clientId);
    return session === undefined ? undefined : toRecord(clientId, session);
  }

  async save(record: SessionRecord): Promise<void> {
    this.assertOpen();
    if (record.snapshot.version !== SESSION_SNAPSHOT_VERSION) {
      throw snapshotVersionError(record.clientId, record.snapshot.version);
    }
    const snapshot = copySnapshot(record.snapshot);
    const queued = new MessageQueue();
    for (const message of snapshot.outbound.queued) queued.push(message);
    this.sessions.set(record.clientId, {
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      sessionExpiryInterval: record.sessionExpiryInterval,
      disconnectedAt: record.disconnectedAt,
      subscriptions: record.subscriptions.map(copySubscription),
      will: record.will === undefined ? undefined : copyWill(record.will),
      inflight: new Map(snapshot.outbound.inflight.map((entry) => [entry.packetId, entry])),
      queued,
      nextPacketId: snapshot.outbound.nextPacketId,
      awaitingPubrel: new Set(snapshot.inbound.awaitingPubrel),
    });
  }

  async update(clientId: string, changes: SessionChanges): Promise<void> {
    this.assertOpen();
    const session = this.sessions.get(clientId);
    if (session === undefined) {
      throw new StoreError("MQTT_ERR_STORE_SESSION_NOT_FOUND", `no session for "${clientId}"`, {
        clientId,
      });
    }
    validateSessionChanges(clientId, changes, session.queued.length);
    applyRecordChanges(session, changes);
    if (changes.dequeue !== undefined) session.queued.drop(changes.dequeue);
    if (changes.enqueue !== undefined) {
      for (const message of changes.enqueue) session.queued.push(copyMessage(message));
    }
    if (changes.removeInflight !== undefined) {
      for (const packetId of changes.removeInflight) session.inflight.delete(packetId);
    }
    if (changes.putInflight !== undefined) {
      for (const entry of changes.putInflight) {
        session.inflight.set(entry.packetId, copyInflight(entry));
      }
    }
    if (changes.nextPacketId !== undefined) session.nextPacketId = changes.nextPacketId;
    if (changes.removeAwaitingPubrel !== undefined) {
      for (const packetId of changes.removeAwaitingPubrel) session.awaitingPubrel.delete(packetId);
    }
    if (changes.addAwaitingPubrel !== undefined) {
      for (const packetId of changes.addAwaitingPubrel) session.awaitingPubrel.add(packetId);
    }
  }

  async delete(clientId: string): Promise<void> {
    this.assertOpen();
    this.sessions.delete(clientId);
  }

  async *clientIds(): AsyncIterable<string> {
    this.assertOpen();
    for (const clientId of this.sessions.keys()) {
      yield clientId;
      this.assertOpen();
    }
  }

  async close(): Promise<void> {
    this.state = "closed";
    this.sessions.clear();
  }

  private assertOpen(): void {
    if (this.state === "closed") throw storeClosedError("MemorySessionStore");
  }
}

function applyRecordChanges(session: MemorySession, changes: SessionChanges): void {
  if (changes.updatedAt !== undefined) session.updatedAt = changes.updatedAt;
  if (changes.sessionExpiryInterval !== undefined) {
    session.sessionExpiryInterval = changes.sessionExpiryInterval;
  }
  if (changes.disconnectedAt !== undefined) {
    session.disconnectedAt = changes.disconnectedAt ?? undefined;
  }
  if (changes.subscriptions !== undefined) {
    session.subscriptions = changes.subscriptions.map(copySubscription);
  }
  if (changes.will !== undefined) {
    session.will = changes.will === null ? undefined : copyWill(changes.will);
  }
}

function snapshotVersionError(clientId: string, version: unknown): StoreError {
  return new StoreError(
    "MQTT_ERR_STORE_SNAPSHOT_VERSION",
    `session "${clientId}": snapshot version ${String(version)} is not ${SESSION_SNAPSHOT_VERSION}`,
    { clientId },
  );
}

function toRecord(clientId: string, session: MemorySession): SessionRecord {
  const record: SessionRecord = {
    clientId,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    sessionExpiryInterval: session.sessionExpiryInterval,
    subscriptions: session.subscriptions.map(copySubscription),
    snapshot: {
      version: SESSION_SNAPSHOT_VERSION,
      outbound: {
        inflight: Array.from(session.inflight.values(), copyInflight),
        queued: session.queued.toArray(copyMessage),
        nextPacketId: session.nextPacketId,
      },
      inbound: { awaitingPubrel: Array.from(session.awaitingPubrel) },
    },
  };
  if (session.disconnectedAt !== undefined) record.disconnectedAt = session.disconnectedAt;
  if (session.will !== undefined) record.will = copyWill(session.will);
  return record;
}
