/**
 * Typed errors of the session and retained-message stores.
 *
 * Design: a store REJECTS with these (it never throws synchronously), and a rejected write
 * has changed nothing. They are not protocol violations by a peer, so they carry no `spec`
 * and no 5.0 reason code: the broker decides what to answer (typically 0x80 Unspecified
 * error on the PUBACK/PUBREC it could not make durable, or 0x8B Server shutting down when
 * the store was closed). Callers branch on `code`, never on the message text.
 */
import { MqttError } from "@ternmq/codec";

/** Every code a TernMQ store rejects with. Documented in the package README ("Stores"). */
export type StoreErrorCode =
  | "MQTT_ERR_STORE_CLOSED"
  | "MQTT_ERR_STORE_SNAPSHOT_VERSION"
  | "MQTT_ERR_STORE_SESSION_NOT_FOUND"
  | "MQTT_ERR_STORE_INVALID_CHANGE";

/** A store operation that failed: used after `close()`, unknown data version, bad input. */
export class StoreError extends MqttError<StoreErrorCode> {
  /** Client id of the session involved, when there is one. */
  readonly clientId: string | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { clientId?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.clientId = options.clientId;
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
