/**
 * Opens the database file of a data folder: lock, identity check, settings, schema.
 *
 * Design: the order matters.
 * 1. `locking_mode=EXCLUSIVE` before the first read: the first read takes the file lock and
 *    the connection keeps it until it closes, so a second process (or a second store in
 *    this one) fails at once with SQLITE_BUSY -> `MQTT_ERR_STORE_LOCKED`. With an exclusive
 *    lock, WAL keeps its index in heap memory (no `-shm` file).
 * 2. The header is checked (`application_id`, `user_version`, schema.ts) BEFORE anything is
 *    written, so a foreign or newer file is refused unchanged; a garbage file fails this
 *    first read with SQLITE_NOTADB -> `MQTT_ERR_STORE_CORRUPT`.
 * 3. WAL, `synchronous` from the durability level, `journal_size_limit` (the WAL file is
 *    truncated back to 16 MiB after a checkpoint; SQLite checkpoints every 1000 pages), the
 *    quota (`max_page_count`).
 * 4. The schema is migrated to this release's version (schema.ts).
 * A failure at any step closes the connection and throws a StoreError naming the file.
 */
import { mkdirSync } from "node:fs";
import Sqlite, { type Database } from "better-sqlite3";
import { storeErrorFrom } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import { checkSchemaVersion, MIGRATIONS, type Migration, migrateSchema } from "./schema.js";

/** The WAL file is cut back to this size after checkpoints. */
const JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;
/** Page cache per connection (negative: KiB). */
const CACHE_SIZE_KIB = 16 * 1024;

/**
 * Opens (creating if needed) the database `file` in `options.directory`.
 *
 * Throws: StoreError `MQTT_ERR_STORE_LOCKED`, `_CORRUPT`, `_NOT_TERNMQ`, `_SCHEMA_VERSION`,
 * `_FULL` or `_IO`, naming `file`.
 */
export function openDatabase(
  file: string,
  options: ResolvedOptions,
  migrations: readonly Migration[] = MIGRATIONS,
): Database {
  try {
    mkdirSync(options.directory, { recursive: true });
  } catch (error) {
    throw storeErrorFrom(file, `creating the data folder ${options.directory}`, error);
  }
  let database: Database;
  try {
    // timeout 0: a locked file fails at once instead of waiting.
    database = new Sqlite(file, { timeout: 0 });
  } catch (error) {
    throw storeErrorFrom(file, "opening", error);
  }
  let step = "locking";
  try {
    database.pragma("locking_mode = EXCLUSIVE");
    step = "reading the header";
    const version = checkSchemaVersion(database, file, migrations.length);
    step = "configuring";
    database.pragma("journal_mode = WAL");
    database.pragma(`synchronous = ${options.durability === "fsync" ? "FULL" : "NORMAL"}`);
    database.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    database.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    database.pragma("temp_store = MEMORY");
    if (options.maxDatabaseBytes !== undefined) {
      const pageSize = database.pragma("page_size", { simple: true }) as number;
      const pages = Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize));
      database.pragma(`max_page_count = ${pages}`);
    }
    step = `migrating the schema from version ${version}`;
    migrateSchema(database, version, migrations);
    return database;
  } catch (error) {
    database.close();
    throw storeErrorFrom(file, step, error);
  }
}
