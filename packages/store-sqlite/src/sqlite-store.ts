/**
 * `openSqliteStore`: the durable session and retained stores of one data folder.
 *
 * Design: ONE connection and ONE group-commit transaction for both stores, so the writes of
 * one PUBLISH (retained set, queued and inflight rows of every persistent subscriber, the
 * publisher's awaiting-PUBREL id) commit together with one fsync, and the PUBACK/PUBREC
 * that waits for them waits for one commit. Opening is synchronous (a broker opens its
 * store before binding listeners) and throws a StoreError naming the file.
 */
import { resolve } from "node:path";
import type { RetainedStore, SessionStore } from "@ternmq/session";
import type { Database } from "better-sqlite3";
import { storeErrorFrom } from "./errors.js";
import { GroupCommit } from "./group-commit.js";
import { openDatabase } from "./open-database.js";
import {
  DATABASE_FILE_NAME,
  type Durability,
  resolveOptions,
  type SqliteStoreOptions,
} from "./options.js";
import { SqliteRetainedStore } from "./sqlite-retained-store.js";
import { SqliteSessionStore } from "./sqlite-session-store.js";
import { type SharedConnection, StoreHandle } from "./store-handle.js";

/** The stores of one data folder; see `openSqliteStore`. */
export interface SqliteStore {
  /** Persistent sessions. */
  readonly sessions: SessionStore;
  /** Retained messages. */
  readonly retained: RetainedStore;
  /** Absolute path of the database file. */
  readonly path: string;
  /** The durability level in effect. */
  readonly durability: Durability;
  /**
   * Commits pending writes and closes the file (both stores). Idempotent. Rejects with the
   * StoreError of the last commit if it failed (the file is closed anyway).
   */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the store of a data folder.
 *
 * Parameters: see `SqliteStoreOptions` (`directory` is required).
 * Returns: the open store; writes are durable when their promise resolves.
 * Throws: StoreError, naming the file and the cause: `MQTT_ERR_STORE_LOCKED` (another
 * process or store has the folder open), `MQTT_ERR_STORE_CORRUPT`, `MQTT_ERR_STORE_NOT_TERNMQ`,
 * `MQTT_ERR_STORE_SCHEMA_VERSION`, `MQTT_ERR_STORE_FULL`, `MQTT_ERR_STORE_IO`; TypeError for
 * invalid options.
 * See also: README "Errors".
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const resolved = resolveOptions(options);
  const path = resolve(resolved.directory, DATABASE_FILE_NAME);
  const database = openDatabase(path, resolved);
  return new OpenSqliteStore(database, path, resolved.durability, resolved.commitWindowMs);
}

class OpenSqliteStore implements SqliteStore, SharedConnection {
  readonly sessions: SqliteSessionStore;
  readonly retained: SqliteRetainedStore;
  private readonly commits: GroupCommit;
  private openStores = 2;
  private closeFailure: unknown;

  constructor(
    private readonly database: Database,
    readonly path: string,
    readonly durability: Durability,
    commitWindowMs: number,
  ) {
    this.commits = new GroupCommit(database, path, commitWindowMs);
    this.sessions = new SqliteSessionStore(
      database,
      this.commits,
      new StoreHandle("session store", this),
    );
    this.retained = new SqliteRetainedStore(
      database,
      this.commits,
      new StoreHandle("retained store", this),
    );
  }

  get file(): string {
    return this.path;
  }

  async close(): Promise<void> {
    await Promise.all([this.sessions.close(), this.retained.close()]);
  }

  async release(): Promise<void> {
    try {
      await this.commits.flush();
    } catch (error) {
      this.closeFailure ??= error;
    }
    this.openStores--;
    if (this.openStores === 0) {
      try {
        this.database.close();
      } catch (error) {
        this.closeFailure ??= storeErrorFrom(this.path, "closing", error);
      }
    }
    if (this.closeFailure !== undefined) throw this.closeFailure;
  }
}
