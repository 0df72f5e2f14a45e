/**
 * Turns SQLite and file-system failures into `StoreError`s that name the file and the cause.
 *
 * Design: one mapping from the SQLite result code (better-sqlite3's `SqliteError.code`,
 * e.g. "SQLITE_FULL", "SQLITE_IOERR_FSYNC") or the Node `errno` code to a store code, so
 * the open path, the write path and the commit give the same code for the same failure.
 * The original error is the `cause`; callers branch on `code`.
 */
import { StoreError, type StoreErrorCode } from "@ternmq/session";

/** The SQLite (or Node) error code of `error`, if it has one. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** The `code` of errors raised while decoding a stored row (see `badStoredData`). */
const BAD_STORED_DATA = "ERR_TERNMQ_BAD_STORED_DATA";

/**
 * An error for a stored value that does not decode (a message BLOB, a JSON column): the
 * file was changed behind SQLite's back or by a bug, so it maps to MQTT_ERR_STORE_CORRUPT.
 */
export function badStoredData(what: string, cause: unknown): Error {
  const error = new Error(`${what} does not decode`, { cause }) as Error & { code: string };
  error.code = BAD_STORED_DATA;
  return error;
}

/** The store code for a SQLite result code, a Node errno code or `BAD_STORED_DATA`. */
export function storeCodeOf(error: unknown): StoreErrorCode {
  const code = errorCode(error) ?? "";
  if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT") {
    return "MQTT_ERR_STORE_FULL";
  }
  if (
    code === "SQLITE_CORRUPT" ||
    code.startsWith("SQLITE_CORRUPT_") ||
    code === "SQLITE_NOTADB" ||
    code === BAD_STORED_DATA
  ) {
    return "MQTT_ERR_STORE_CORRUPT";
  }
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED") {
    return "MQTT_ERR_STORE_LOCKED";
  }
  return "MQTT_ERR_STORE_IO";
}

/** What each store code means, for the error message. */
const CAUSE_TEXT: Partial<Record<StoreErrorCode, string>> = {
  MQTT_ERR_STORE_FULL: "the disk, the quota or the configured size limit is full",
  MQTT_ERR_STORE_CORRUPT: "the file is damaged or is not a database",
  MQTT_ERR_STORE_LOCKED: "another process or store has this data folder open",
  MQTT_ERR_STORE_IO: "input/output failure",
};

/**
 * A `StoreError` for `error` raised while doing `action` on `file`.
 *
 * Returns: an error whose message reads "<file>: <action> failed: <meaning> (<SQLite
 * message>)", with `file` set and `error` as the cause.
 */
export function storeErrorFrom(file: string, action: string, error: unknown): StoreError {
  if (StoreError.isStoreError(error)) return error;
  const code = storeCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const sqliteCode = errorCode(error);
  const reason = `${CAUSE_TEXT[code] ?? "failure"} (${sqliteCode === undefined ? "" : `${sqliteCode}: `}${detail})`;
  return new StoreError(code, `${file}: ${action} failed: ${reason}`, { file, cause: error });
}

/** A `StoreError` of `code` about `file` that no lower-level error caused. */
export function fileError(code: StoreErrorCode, file: string, what: string): StoreError {
  return new StoreError(code, `${file}: ${what}`, { file });
}
