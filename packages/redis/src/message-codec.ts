/**
 * Bytes for the messages kept in Redis: queued, inflight, inbox and retained messages.
 *
 * Design: a message is one Redis string holding `@ternmq/session`'s stored-message format
 * (`encodeStoredMessage`: a format byte, then the message as a PUBLISH packet), shared with
 * the other durable stores. An inflight entry puts its state byte in front of it; a
 * retained message puts the 8 bytes of `receivedAt` (a big-endian double) in front and is
 * encoded with an empty topic, because it is keyed on its topic. The bytes are Node Buffers
 * (`Buffer.allocUnsafe`), as ioredis sends them; decoding returns the payload as a view of
 * the reply's buffer (no copy).
 */
import {
  decodeStoredMessage,
  encodeStoredMessage,
  type OutboundInflight,
  type RetainedMessage,
  type SessionMessage,
} from "@ternmq/session";
import { badStoredData } from "./errors.js";

const RECEIVED_AT_BYTES = 8;

/** Inflight states as the first byte of an inflight entry. */
const STATE_CODES = { "awaiting-puback": 1, "awaiting-pubrec": 2, "awaiting-pubcomp": 3 } as const;

/**
 * Encodes a queued or inbox message.
 *
 * Throws: MqttError `MQTT_ERR_INVALID_PACKET` (from the codec) for a message that is not a
 * valid PUBLISH, before anything is written.
 */
export function encodeMessage(message: SessionMessage): Buffer {
  return encodeStoredMessage(message, message.topic, 0, Buffer.allocUnsafe);
}

/** Decodes what `encodeMessage` wrote. Throws: an error that maps to STORE_CORRUPT. */
export function decodeMessage(bytes: Uint8Array): SessionMessage {
  return decodeStoredMessage(bytes, 0, undefined, badStoredData);
}

/** Encodes an inflight entry: its state byte, then its message (none for awaiting-pubcomp). */
export function encodeInflight(entry: OutboundInflight): Buffer {
  const state = STATE_CODES[entry.state];
  if (state === undefined) throw new TypeError(`unknown inflight state ${String(entry.state)}`);
  if (entry.state === "awaiting-pubcomp") return Buffer.of(state);
  const bytes = encodeStoredMessage(entry.message, entry.message.topic, 1, Buffer.allocUnsafe);
  bytes[0] = state;
  return bytes;
}

/** Decodes what `encodeInflight` wrote for `packetId`. */
export function decodeInflight(packetId: number, bytes: Uint8Array): OutboundInflight {
  try {
    const state = bytes[0];
    if (state === STATE_CODES["awaiting-pubcomp"]) return { packetId, state: "awaiting-pubcomp" };
    const message = decodeStoredMessage(bytes, 1);
    if (state === STATE_CODES["awaiting-puback"]) {
      return { packetId, state: "awaiting-puback", message };
    }
    if (state === STATE_CODES["awaiting-pubrec"]) {
      return { packetId, state: "awaiting-pubrec", message };
    }
    throw new TypeError(`unknown inflight state ${String(state)}`);
  } catch (error) {
    throw badStoredData("a stored inflight entry", error);
  }
}

/** Encodes a retained message: `receivedAt`, then the message without its topic. */
export function encodeRetained(message: RetainedMessage): Buffer {
  const bytes = encodeStoredMessage(message, "", RECEIVED_AT_BYTES, Buffer.allocUnsafe);
  bytes.writeDoubleBE(message.receivedAt, 0);
  return bytes;
}

/** Decodes what `encodeRetained` wrote for `topic`. */
export function decodeRetained(topic: string, bytes: Buffer): RetainedMessage {
  try {
    if (bytes.length <= RECEIVED_AT_BYTES) throw new TypeError("too short");
    const receivedAt = bytes.readDoubleBE(0);
    return { ...decodeStoredMessage(bytes, RECEIVED_AT_BYTES, topic), receivedAt };
  } catch (error) {
    throw badStoredData(`the retained message of "${topic}"`, error);
  }
}
