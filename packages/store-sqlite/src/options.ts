/**
 * Options of `openSqliteStore`, their defaults and their validation.
 */

/**
 * How much a resolved write survives.
 * - `fsync`: every commit is fsynced (SQLite `synchronous=FULL`): survives a power cut.
 * - `relaxed`: commits reach the operating system, fsync only at checkpoints
 *   (`synchronous=NORMAL`): survives a crash of the process, not of the machine.
 */
export type Durability = "fsync" | "relaxed";

export interface SqliteStoreOptions {
  /** Data folder, created if missing; the database is `<directory>/ternmq.db`. */
  directory: string;
  /** Default `"fsync"`. */
  durability?: Durability;
  /**
   * 0 (default): commit at the end of the event-loop turn (setImmediate). More than 0: wait
   * up to this many milliseconds after a batch's first write, to put more writes in it.
   */
  commitWindowMs?: number;
  /**
   * Largest size of the database in bytes (a quota; SQLite `max_page_count`). A write that
   * would grow past it rejects with `MQTT_ERR_STORE_FULL`. Default: no limit but the disk.
   */
  maxDatabaseBytes?: number;
}

/** The name of the database file inside the data folder. */
export const DATABASE_FILE_NAME = "ternmq.db";

export interface ResolvedOptions {
  readonly directory: string;
  readonly durability: Durability;
  readonly commitWindowMs: number;
  readonly maxDatabaseBytes: number | undefined;
}

/**
 * Fills in the defaults.
 *
 * Throws: TypeError for an option of the wrong type or range (a programming error, not a
 * store failure).
 */
export function resolveOptions(options: SqliteStoreOptions): ResolvedOptions {
  const { directory, durability = "fsync", commitWindowMs = 0, maxDatabaseBytes } = options;
  if (typeof directory !== "string" || directory === "") {
    throw new TypeError("openSqliteStore: options.directory must be a non-empty string");
  }
  if (durability !== "fsync" && durability !== "relaxed") {
    throw new TypeError('openSqliteStore: options.durability must be "fsync" or "relaxed"');
  }
  if (!(Number.isFinite(commitWindowMs) && commitWindowMs >= 0)) {
    throw new TypeError("openSqliteStore: options.commitWindowMs must be a number >= 0");
  }
  if (
    maxDatabaseBytes !== undefined &&
    !(Number.isInteger(maxDatabaseBytes) && maxDatabaseBytes > 0)
  ) {
    throw new TypeError("openSqliteStore: options.maxDatabaseBytes must be a positive integer");
  }
  return { directory, durability, commitWindowMs, maxDatabaseBytes };
}
