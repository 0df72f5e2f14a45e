/**
 * The storage schema, its version and the migrations that bring an older file up to date.
 *
 * Design: `PRAGMA application_id` marks a file as TernMQ's and `PRAGMA user_version` holds
 * the schema version, both in the SQLite header, so they are read without knowing any
 * table. `MIGRATIONS` is the migration path: entry N turns a version N-1 file into a
 * version N file. Each migration runs in its own transaction together with the
 * `user_version` bump and a row in the `migrations` table (the file's history), so a
 * failing migration leaves the file at the previous version. A fresh file is stamped with
 * the application id in the first migration's transaction. A file of a newer version is
 * refused, never opened half-understood.
 *
 * Tables (version 1), normalised so that one message is one row, never a rewritten blob:
 * - `sessions`: one row per client id (record fields, `next_packet_id`); child rows refer
 *   to its integer `id`.
 * - `queued`: (session, seq) -> message; seq increases by one per enqueued message, so the
 *   queue's head is its lowest seq and a dequeue of n deletes one seq range.
 * - `inflight`: (session, packet id) -> position, state, message; position is the order
 *   first sent [MQTT-4.4.0-1], kept when an entry is replaced in place (PUBREC).
 * - `awaiting_pubrel`: (session, packet id) -> position (arrival order).
 * - `retained`: topic -> message, receive time; clustered by topic, so a filter with a
 *   literal prefix reads one key range.
 * - `counters`: the retained message count, kept by triggers inside the same transaction
 *   as the change, so `count()` is one row read and never drifts from the table.
 */
import type { Database } from "better-sqlite3";
import { fileError } from "./errors.js";

/** "TRNM": marks a SQLite file as a TernMQ store (`PRAGMA application_id`). */
export const TERNMQ_APPLICATION_ID = 0x54524e4d;

/** One step of the migration path. */
export interface Migration {
  /** The schema version this migration produces (previous version + 1). */
  readonly version: number;
  readonly description: string;
  /** Changes the schema (and data) of a file at `version - 1`; runs inside a transaction. */
  readonly up: (database: Database) => void;
}

/** The migration path, oldest first. The last entry's version is the current version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "sessions, queued, inflight, awaiting_pubrel, retained, counters",
    up(database) {
      database.exec(`
        CREATE TABLE migrations (
          version INTEGER PRIMARY KEY,
          description TEXT NOT NULL,
          applied_at INTEGER NOT NULL
        );
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters (name, value) VALUES ('retained', 0);
        CREATE TABLE sessions (
          id INTEGER PRIMARY KEY,
          client_id TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          session_expiry_interval INTEGER NOT NULL,
          disconnected_at INTEGER,
          subscriptions TEXT NOT NULL,
          will TEXT,
          next_packet_id INTEGER NOT NULL
        );
        CREATE TABLE queued (
          session_id INTEGER NOT NULL,
          seq INTEGER NOT NULL,
          message BLOB NOT NULL,
          PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE inflight (
          session_id INTEGER NOT NULL,
          packet_id INTEGER NOT NULL,
          position INTEGER NOT NULL,
          state INTEGER NOT NULL,
          message BLOB,
          PRIMARY KEY (session_id, packet_id)
        ) WITHOUT ROWID;
        CREATE TABLE awaiting_pubrel (
          session_id INTEGER NOT NULL,
          packet_id INTEGER NOT NULL,
          position INTEGER NOT NULL,
          PRIMARY KEY (session_id, packet_id)
        ) WITHOUT ROWID;
        CREATE TABLE retained (
          topic TEXT PRIMARY KEY,
          received_at INTEGER NOT NULL,
          message BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER retained_counted AFTER INSERT ON retained BEGIN
          UPDATE counters SET value = value + 1 WHERE name = 'retained';
        END;
        CREATE TRIGGER retained_uncounted AFTER DELETE ON retained BEGIN
          UPDATE counters SET value = value - 1 WHERE name = 'retained';
        END;
      `);
    },
  },
];

/** The schema version this release writes: the last migration's. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Reads which schema version `database` (at `file`) is at, refusing files this release must
 * not touch. Reads the header only; writes nothing.
 *
 * Returns: the version (0 for a fresh, empty file).
 * Throws: StoreError `MQTT_ERR_STORE_NOT_TERNMQ` for a file with another application id or
 * with tables but no TernMQ mark, `MQTT_ERR_STORE_SCHEMA_VERSION` for a version above
 * `latest`.
 */
export function checkSchemaVersion(database: Database, file: string, latest: number): number {
  const applicationId = database.pragma("application_id", { simple: true }) as number;
  const version = database.pragma("user_version", { simple: true }) as number;
  if (applicationId === 0) {
    const tables = database.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
    if (tables > 0 || version !== 0) {
      throw fileError(
        "MQTT_ERR_STORE_NOT_TERNMQ",
        file,
        "is a SQLite database without the TernMQ mark (application_id 0, not empty): not a TernMQ data folder",
      );
    }
  } else if (applicationId !== TERNMQ_APPLICATION_ID) {
    throw fileError(
      "MQTT_ERR_STORE_NOT_TERNMQ",
      file,
      `is a SQLite database of another application (application_id 0x${hex(applicationId)})`,
    );
  }
  if (version > latest) {
    throw fileError(
      "MQTT_ERR_STORE_SCHEMA_VERSION",
      file,
      `schema version ${version} was written by a newer TernMQ; this release reads versions up to ${latest}`,
    );
  }
  return version;
}

/**
 * Runs the migrations after `version`, each in its own transaction with the version bump;
 * the first one also stamps the file with `TERNMQ_APPLICATION_ID`.
 *
 * Throws: the error of a failing migration, which leaves the file at the version before it;
 * TypeError when `migrations` is not numbered 1, 2, 3...
 */
export function migrateSchema(
  database: Database,
  version: number,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new TypeError(`migration ${index + 1} says it produces version ${migration.version}`);
    }
  }
  for (const migration of migrations.slice(version)) {
    database.transaction(() => {
      if (migration.version === 1) {
        database.pragma(`application_id = ${TERNMQ_APPLICATION_ID}`);
      }
      migration.up(database);
      database
        .prepare("INSERT INTO migrations (version, description, applied_at) VALUES (?, ?, ?)")
        .run(migration.version, migration.description, Date.now());
      database.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
