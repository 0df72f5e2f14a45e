/**
 * `SessionStore` on the SQLite file of a `SqliteStore`.
 *
 * Design: a session is one `sessions` row plus one row per queued message, inflight entry
 * and awaiting-PUBREL id (schema.ts), so `update` touches only the rows of the messages it
 * changes: a QoS 1 delivery is one insert, one upsert and one delete, never a rewrite of the
 * session. Every call is validated completely (session found, counts and packet ids, every
 * message encodable) before its first statement runs, so a rejected call changes nothing;
 * then its statements run at once inside the batch's transaction (group-commit.ts) and it
 * returns the batch's promise. For speed, each session's row id, queue bounds and next
 * positions are cached in a `SessionPlace` once read; the cache is dropped after a rollback
 * and read again from the file.
 */
import {
  invalidChangeError,
  type OutboundInflight,
  SESSION_SNAPSHOT_VERSION,
  type SessionChanges,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  StoreError,
  subscriptionsFromJson,
  subscriptionsToJson,
  validateSessionChanges,
  willFromJson,
  willToJson,
} from "@ternmq/session";
import type { Database, Statement } from "better-sqlite3";
import { badStoredData } from "./errors.js";
import type { GroupCommit } from "./group-commit.js";
import { decodeMessage, encodeMessage } from "./message-codec.js";
import type { StoreHandle } from "./store-handle.js";

/** Where one session's rows are, and where its next rows go. */
interface SessionPlace {
  readonly id: number;
  /** seq of the oldest queued message (== queueTail when the queue is empty). */
  queueHead: number;
  /** seq the next enqueued message gets. */
  queueTail: number;
  nextInflightPosition: number;
  nextAwaitingPosition: number;
}

/** Inflight states as stored in `inflight.state`. */
const STATE_CODES = { "awaiting-puback": 1, "awaiting-pubrec": 2, "awaiting-pubcomp": 3 } as const;

/** A `sessions` row as read. */
interface SessionRow {
  id: number;
  created_at: number;
  updated_at: number;
  session_expiry_interval: number;
  disconnected_at: number | null;
  subscriptions: string;
  will: string | null;
  next_packet_id: number;
}

/** Client ids listed per query by `clientIds()`. */
const CLIENT_ID_PAGE_SIZE = 1000;

export class SqliteSessionStore implements SessionStore {
  private readonly places = new Map<string, SessionPlace>();
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(
    database: Database,
    private readonly commits: GroupCommit,
    private readonly handle: StoreHandle,
  ) {
    this.statements = prepareStatements(database);
    commits.onRollback(() => this.places.clear());
  }

  async load(clientId: string): Promise<SessionRecord | undefined> {
    this.handle.assertOpen();
    return this.commits.read(`loading session "${clientId}"`, () => this.readRecord(clientId));
  }

  save(record: SessionRecord): Promise<void> {
    try {
      this.handle.assertOpen();
      if (record.snapshot.version !== SESSION_SNAPSHOT_VERSION) {
        throw new StoreError(
          "MQTT_ERR_STORE_SNAPSHOT_VERSION",
          `session "${record.clientId}": snapshot version ${String(record.snapshot.version)} is not ${SESSION_SNAPSHOT_VERSION}`,
          { clientId: record.clientId },
        );
      }
      const { outbound, inbound } = record.snapshot;
      const queued = encodeAll(record.clientId, outbound.queued);
      const inflight = encodeInflight(record.clientId, outbound.inflight);
      const place = this.findPlace(record.clientId, "saving a session");
      const fields = [
        record.createdAt,
        record.updatedAt,
        record.sessionExpiryInterval,
        record.disconnectedAt ?? null,
        subscriptionsToJson(record.subscriptions),
        record.will === undefined ? null : willToJson(record.will),
        outbound.nextPacketId,
      ];
      const batch = this.commits.begin();
      try {
        const { statements } = this;
        let id: number;
        if (place === undefined) {
          id = Number(statements.insertSession.run(record.clientId, ...fields).lastInsertRowid);
        } else {
          id = place.id;
          statements.deleteAllQueued.run(id);
          statements.deleteAllInflight.run(id);
          statements.deleteAllAwaiting.run(id);
          statements.replaceSession.run(...fields, id);
        }
        const saved: SessionPlace = {
          id,
          queueHead: 0,
          queueTail: 0,
          nextInflightPosition: 0,
          nextAwaitingPosition: 0,
        };
        this.places.set(record.clientId, saved);
        for (const blob of queued) statements.insertQueued.run(id, saved.queueTail++, blob);
        for (const [index, entry] of outbound.inflight.entries()) {
          const state = STATE_CODES[entry.state];
          statements.upsertInflight.run(
            id,
            entry.packetId,
            saved.nextInflightPosition++,
            state,
            inflight[index],
          );
        }
        for (const packetId of inbound.awaitingPubrel) {
          statements.insertAwaiting.run(id, packetId, saved.nextAwaitingPosition++);
        }
      } catch (error) {
        return this.commits.abort(`saving session "${record.clientId}"`, error);
      }
      return batch;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  update(clientId: string, changes: SessionChanges): Promise<void> {
    try {
      this.handle.assertOpen();
      const place = this.findPlace(clientId, "updating a session");
      if (place === undefined) {
        throw new StoreError("MQTT_ERR_STORE_SESSION_NOT_FOUND", `no session for "${clientId}"`, {
          clientId,
        });
      }
      validateSessionChanges(clientId, changes, place.queueTail - place.queueHead);
      const enqueued =
        changes.enqueue === undefined ? undefined : encodeAll(clientId, changes.enqueue);
      const inflight =
        changes.putInflight === undefined
          ? undefined
          : encodeInflight(clientId, changes.putInflight);
      const batch = this.commits.begin();
      try {
        this.applyChanges(place, changes, enqueued, inflight);
      } catch (error) {
        return this.commits.abort(`updating session "${clientId}"`, error);
      }
      return batch;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(clientId: string): Promise<void> {
    try {
      this.handle.assertOpen();
      const place = this.findPlace(clientId, "deleting a session");
      const batch = this.commits.begin();
      if (place === undefined) return batch;
      try {
        const { statements } = this;
        statements.deleteAllQueued.run(place.id);
        statements.deleteAllInflight.run(place.id);
        statements.deleteAllAwaiting.run(place.id);
        statements.deleteSession.run(place.id);
        this.places.delete(clientId);
      } catch (error) {
        return this.commits.abort(`deleting session "${clientId}"`, error);
      }
      return batch;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async *clientIds(): AsyncIterable<string> {
    this.handle.assertOpen();
    const { statements } = this;
    let page = this.commits.read("listing sessions", () =>
      statements.firstClientIds.all(CLIENT_ID_PAGE_SIZE),
    ) as string[];
    while (page.length > 0) {
      for (const clientId of page) {
        yield clientId;
        this.handle.assertOpen();
      }
      const last = page[page.length - 1];
      if (page.length < CLIENT_ID_PAGE_SIZE) return;
      await this.handle.yieldToEventLoop();
      this.handle.assertOpen();
      page = this.commits.read("listing sessions", () =>
        statements.nextClientIds.all(last, CLIENT_ID_PAGE_SIZE),
      ) as string[];
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  /**
   * The cached place of a session, read from the file on first use; undefined: no session.
   *
   * Throws: StoreError naming the file and `action` when reading fails.
   */
  private findPlace(clientId: string, action: string): SessionPlace | undefined {
    const cached = this.places.get(clientId);
    if (cached !== undefined) return cached;
    try {
      return this.readPlace(clientId);
    } catch (error) {
      throw this.commits.readFailed(action, error);
    }
  }

  private readPlace(clientId: string): SessionPlace | undefined {
    const { statements } = this;
    const id = statements.selectSessionId.get(clientId) as number | undefined;
    if (id === undefined) return undefined;
    const bounds = statements.queueBounds.get(id) as [number | null, number | null];
    const lastInflight = statements.lastInflightPosition.get(id) as number | null;
    const lastAwaiting = statements.lastAwaitingPosition.get(id) as number | null;
    const place: SessionPlace = {
      id,
      queueHead: bounds[0] ?? 0,
      queueTail: bounds[1] === null ? 0 : bounds[1] + 1,
      nextInflightPosition: lastInflight === null ? 0 : lastInflight + 1,
      nextAwaitingPosition: lastAwaiting === null ? 0 : lastAwaiting + 1,
    };
    this.places.set(clientId, place);
    return place;
  }

  /** Runs the statements of a validated change, in the order the contract gives. */
  private applyChanges(
    place: SessionPlace,
    changes: SessionChanges,
    enqueued: readonly Uint8Array[] | undefined,
    inflight: readonly (Uint8Array | null)[] | undefined,
  ): void {
    const { statements } = this;
    const { id } = place;
    if (hasRecordFields(changes)) {
      const { disconnectedAt, will, subscriptions } = changes;
      statements.updateRecordFields.run(
        changes.updatedAt ?? null,
        changes.sessionExpiryInterval ?? null,
        disconnectedAt === undefined ? 0 : 1,
        disconnectedAt ?? null,
        subscriptions === undefined ? null : subscriptionsToJson(subscriptions),
        will === undefined ? 0 : 1,
        will === undefined || will === null ? null : willToJson(will),
        id,
      );
    }
    if (changes.dequeue !== undefined && changes.dequeue > 0) {
      place.queueHead += changes.dequeue;
      statements.deleteQueuedBefore.run(id, place.queueHead);
    }
    if (enqueued !== undefined) {
      for (const blob of enqueued) statements.insertQueued.run(id, place.queueTail++, blob);
    }
    if (changes.removeInflight !== undefined) {
      for (const packetId of changes.removeInflight) statements.deleteInflight.run(id, packetId);
    }
    if (changes.putInflight !== undefined && inflight !== undefined) {
      for (const [index, entry] of changes.putInflight.entries()) {
        const state = STATE_CODES[entry.state];
        statements.upsertInflight.run(
          id,
          entry.packetId,
          place.nextInflightPosition++,
          state,
          inflight[index],
        );
      }
    }
    if (changes.nextPacketId !== undefined) {
      statements.updateNextPacketId.run(changes.nextPacketId, id);
    }
    if (changes.removeAwaitingPubrel !== undefined) {
      for (const packetId of changes.removeAwaitingPubrel)
        statements.deleteAwaiting.run(id, packetId);
    }
    if (changes.addAwaitingPubrel !== undefined) {
      for (const packetId of changes.addAwaitingPubrel) {
        statements.insertAwaiting.run(id, packetId, place.nextAwaitingPosition++);
      }
    }
  }

  private readRecord(clientId: string): SessionRecord | undefined {
    const { statements } = this;
    const row = statements.selectSession.get(clientId) as SessionRow | undefined;
    if (row === undefined) return undefined;
    const queued = (statements.selectQueued.all(row.id) as Uint8Array[]).map((blob) =>
      decodeMessage(blob),
    );
    const inflight = (
      statements.selectInflight.all(row.id) as [number, number, Uint8Array | null][]
    ).map(toInflight);
    const awaitingPubrel = statements.selectAwaiting.all(row.id) as number[];
    const record: SessionRecord = {
      clientId,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      sessionExpiryInterval: row.session_expiry_interval,
      subscriptions: subscriptionsFromJson(row.subscriptions, badStoredData),
      snapshot: {
        version: SESSION_SNAPSHOT_VERSION,
        outbound: { inflight, queued, nextPacketId: row.next_packet_id },
        inbound: { awaitingPubrel },
      },
    };
    if (row.disconnected_at !== null) record.disconnectedAt = row.disconnected_at;
    if (row.will !== null) record.will = willFromJson(row.will, badStoredData);
    return record;
  }
}

function toInflight([packetId, state, blob]: [
  number,
  number,
  Uint8Array | null,
]): OutboundInflight {
  if (state === STATE_CODES["awaiting-pubcomp"] || blob === null) {
    return { packetId, state: "awaiting-pubcomp" };
  }
  const message = decodeMessage(blob);
  return state === STATE_CODES["awaiting-puback"]
    ? { packetId, state: "awaiting-puback", message }
    : { packetId, state: "awaiting-pubrec", message };
}

function hasRecordFields(changes: SessionChanges): boolean {
  return (
    changes.updatedAt !== undefined ||
    changes.sessionExpiryInterval !== undefined ||
    changes.disconnectedAt !== undefined ||
    changes.subscriptions !== undefined ||
    changes.will !== undefined
  );
}

/** Encodes messages before anything is written; an invalid one rejects the whole call. */
function encodeAll(clientId: string, messages: readonly SessionMessage[]): Uint8Array[] {
  try {
    return messages.map((message) => encodeMessage(message));
  } catch (error) {
    throw invalidChangeError(clientId, "a message cannot be stored", error);
  }
}

/** The message BLOB of each inflight entry (null for `awaiting-pubcomp`). */
function encodeInflight(
  clientId: string,
  entries: readonly OutboundInflight[],
): (Uint8Array | null)[] {
  try {
    return entries.map((entry) => {
      if (!(entry.state in STATE_CODES))
        throw new TypeError(`unknown inflight state ${entry.state}`);
      return entry.state === "awaiting-pubcomp" ? null : encodeMessage(entry.message);
    });
  } catch (error) {
    throw invalidChangeError(clientId, "an inflight entry cannot be stored", error);
  }
}

function prepareStatements(database: Database) {
  const prepare = (sql: string): Statement => database.prepare(sql);
  const recordColumns =
    "created_at, updated_at, session_expiry_interval, disconnected_at, subscriptions, will, next_packet_id";
  return {
    selectSessionId: prepare("SELECT id FROM sessions WHERE client_id = ?").pluck(),
    selectSession: prepare(`SELECT id, ${recordColumns} FROM sessions WHERE client_id = ?`),
    queueBounds: prepare("SELECT min(seq), max(seq) FROM queued WHERE session_id = ?").raw(),
    lastInflightPosition: prepare(
      "SELECT max(position) FROM inflight WHERE session_id = ?",
    ).pluck(),
    lastAwaitingPosition: prepare(
      "SELECT max(position) FROM awaiting_pubrel WHERE session_id = ?",
    ).pluck(),
    insertSession: prepare(
      `INSERT INTO sessions (client_id, ${recordColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    replaceSession: prepare(
      "UPDATE sessions SET created_at = ?, updated_at = ?, session_expiry_interval = ?, disconnected_at = ?, subscriptions = ?, will = ?, next_packet_id = ? WHERE id = ?",
    ),
    // The 3rd and 6th parameters say whether the nullable field changes (null is a value for them: "cleared").
    updateRecordFields: prepare(`UPDATE sessions SET
      updated_at = coalesce(?, updated_at),
      session_expiry_interval = coalesce(?, session_expiry_interval),
      disconnected_at = CASE ? WHEN 0 THEN disconnected_at ELSE ? END,
      subscriptions = coalesce(?, subscriptions),
      will = CASE ? WHEN 0 THEN will ELSE ? END
      WHERE id = ?`),
    updateNextPacketId: prepare("UPDATE sessions SET next_packet_id = ? WHERE id = ?"),
    deleteSession: prepare("DELETE FROM sessions WHERE id = ?"),
    deleteAllQueued: prepare("DELETE FROM queued WHERE session_id = ?"),
    deleteAllInflight: prepare("DELETE FROM inflight WHERE session_id = ?"),
    deleteAllAwaiting: prepare("DELETE FROM awaiting_pubrel WHERE session_id = ?"),
    insertQueued: prepare("INSERT INTO queued (session_id, seq, message) VALUES (?, ?, ?)"),
    deleteQueuedBefore: prepare("DELETE FROM queued WHERE session_id = ? AND seq < ?"),
    upsertInflight: prepare(`INSERT INTO inflight (session_id, packet_id, position, state, message)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (session_id, packet_id) DO UPDATE SET state = excluded.state, message = excluded.message`),
    deleteInflight: prepare("DELETE FROM inflight WHERE session_id = ? AND packet_id = ?"),
    insertAwaiting: prepare(`INSERT INTO awaiting_pubrel (session_id, packet_id, position)
      VALUES (?, ?, ?) ON CONFLICT (session_id, packet_id) DO NOTHING`),
    deleteAwaiting: prepare("DELETE FROM awaiting_pubrel WHERE session_id = ? AND packet_id = ?"),
    selectQueued: prepare("SELECT message FROM queued WHERE session_id = ? ORDER BY seq").pluck(),
    selectInflight: prepare(
      "SELECT packet_id, state, message FROM inflight WHERE session_id = ? ORDER BY position",
    ).raw(),
    selectAwaiting: prepare(
      "SELECT packet_id FROM awaiting_pubrel WHERE session_id = ? ORDER BY position",
    ).pluck(),
    firstClientIds: prepare("SELECT client_id FROM sessions ORDER BY client_id LIMIT ?").pluck(),
    nextClientIds: prepare(
      "SELECT client_id FROM sessions WHERE client_id > ? ORDER BY client_id LIMIT ?",
    ).pluck(),
  };
}
