/**
 * Typed errors of the session and retained-message stores.
 *
 * Design: a store REJECTS with these (it never throws synchronously), and a rejected write
 * has changed nothing. They are not protocol violations by a peer, so they carry no `spec`
 * and no 5.0 reason code: the broker decides what to answer (typically 0x80 Unspecified
 * error on the PUBACK/PUBREC it could not make durable, or 0x8B Server shutting down when
 * the store was closed). Callers branch on `code`, never on the message text.
 *
 * The codes from `MQTT_ERR_STORE_SCHEMA_VERSION` on are raised by durable stores (files):
 * their message names the file and the cause, `file` holds the file's path and `cause`
 * the underlying error (for example the SQLite error).
 */
import { MqttError } from "@ternmq/codec";

/** Every code a TernMQ store rejects with. Documented in the package README ("Stores"). */
export type StoreErrorCode =
  | "MQTT_ERR_STORE_CLOSED"
  | "MQTT_ERR_STORE_SNAPSHOT_VERSION"
  | "MQTT_ERR_STORE_SESSION_NOT_FOUND"
  | "MQTT_ERR_STORE_INVALID_CHANGE"
  /** The data was written by a newer or unknown storage schema. */
  | "MQTT_ERR_STORE_SCHEMA_VERSION"
  /** The file is a database, but not one of TernMQ's. */
  | "MQTT_ERR_STORE_NOT_TERNMQ"
  /** The file is damaged or is not a database at all. */
  | "MQTT_ERR_STORE_CORRUPT"
  /** The disk, the file system quota or the store's configured size limit is full. */
  | "MQTT_ERR_STORE_FULL"
  /** Another process (or another store object) has the data open. */
  | "MQTT_ERR_STORE_LOCKED"
  /** Any other input/output failure (permissions, a missing device, a failed fsync). */
  | "MQTT_ERR_STORE_IO";

/**
 * A store operation that failed: used after `close()`, unknown data version, bad input, and
 * by durable stores for file-level failures (schema, corruption, full disk, lock, I/O).
 */
export class StoreError extends MqttError<StoreErrorCode> {
  /** Client id of the session involved, when there is one. */
  readonly clientId: string | undefined;
  /** Path of the file involved (durable stores), when there is one. */
  readonly file: string | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { clientId?: string; file?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.clientId = options.clientId;
    this.file = options.file;
  }

  /** True for a StoreError from any copy of this package. */
  static isStoreError(value: unknown): value is StoreError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_STORE_");
  }
}

/** The rejection every operation of a closed store returns. */
export function storeClosedError(storeName: string): StoreError {
  return new StoreError("MQTT_ERR_STORE_CLOSED", `${storeName} is closed`);
}
