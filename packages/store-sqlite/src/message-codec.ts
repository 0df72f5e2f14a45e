/**
 * The message BLOBs of the `queued`, `inflight` and `retained` rows.
 *
 * Design: the bytes are `@ternmq/session`'s stored-message format (`encodeStoredMessage`: a
 * format byte, then the message as a PUBLISH packet), shared with the other durable stores.
 * Retained rows key on the topic, so their BLOB is encoded with an empty topic and the topic
 * column is put back on decode. The BLOB is a Node Buffer (`Buffer.allocUnsafe`, no
 * zero-fill) as better-sqlite3 binds it; decoding returns the payload as a view of the
 * row's buffer (no copy).
 */
import { decodeStoredMessage, encodeStoredMessage, type SessionMessage } from "@ternmq/session";
import { badStoredData } from "./errors.js";

/**
 * Encodes `message` into a fresh BLOB; `topic` replaces the message's topic (the empty
 * string for retained rows).
 *
 * Throws: MqttError `MQTT_ERR_INVALID_PACKET` (from the codec) for a message that is not a
 * valid PUBLISH, before anything is written.
 */
export function encodeMessage(message: SessionMessage, topic = message.topic): Uint8Array {
  return encodeStoredMessage(message, topic, 0, Buffer.allocUnsafe);
}

/**
 * Decodes a BLOB written by `encodeMessage`; `topic` replaces the stored topic when given.
 *
 * Throws: an error that maps to MQTT_ERR_STORE_CORRUPT (`badStoredData`) when the bytes are
 * not a stored message.
 */
export function decodeMessage(blob: Uint8Array, topic?: string): SessionMessage {
  return decodeStoredMessage(blob, 0, topic, badStoredData);
}
