/**
 * How the stored-data decoders (record-json.ts, message-bytes.ts) report a value that does
 * not decode.
 *
 * Design: each durable store maps such a value to its own error (for example one that its
 * error mapping turns into `MQTT_ERR_STORE_CORRUPT`), so the decoders take a factory for
 * it instead of throwing one fixed class; without one they throw a plain TypeError.
 */

/**
 * Builds the error thrown for a stored value that does not decode.
 *
 * Parameters: `what` names the value ("a stored will", "a stored message"); `cause` is the
 * underlying error (a SyntaxError from JSON.parse, a codec MqttError, a TypeError).
 */
export type StoredDataErrorFactory = (what: string, cause: unknown) => Error;

/** The default factory: a TypeError "<what> does not decode" with `cause`. */
export function storedDataError(what: string, cause: unknown): Error {
  return new TypeError(`${what} does not decode`, { cause });
}
