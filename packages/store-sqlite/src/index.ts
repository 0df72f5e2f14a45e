/**
 * @ternmq/store-sqlite: the durable session and retained-message stores of TernMQ, on one
 * SQLite file (better-sqlite3, WAL) with group commit. Node only.
 */
export {
  DATABASE_FILE_NAME,
  type Durability,
  type SqliteStoreOptions,
} from "./options.js";
export { SCHEMA_VERSION, TERNMQ_APPLICATION_ID } from "./schema.js";
export { openSqliteStore, type SqliteStore } from "./sqlite-store.js";
