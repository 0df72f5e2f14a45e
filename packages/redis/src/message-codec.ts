/**
 * Bytes for the messages kept in Redis: queued, inflight, inbox and retained messages.
 *
 * Design: a message is one Redis string: a format byte followed by the message encoded as an
 * MQTT PUBLISH packet by `@ternmq/codec`, which already round-trips every field (topic, QoS,
 * RETAIN, every 5.0 property in order, payload bytes). The format byte is the protocol level
 * used: 4 (3.1.1) for a message without `properties`, 5 for one with them, so a message
 * stored without properties comes back without them and an empty property bag comes back
 * empty. The packet id of a QoS 1/2 message is a placeholder (1): ids belong to the inflight
 * entries, not to the message. Retained messages key on their topic, so they are encoded
 * with an empty topic, after the 8 bytes of `receivedAt` (a big-endian double). Decoding
 * returns the payload as a view of the reply's buffer (no copy).
 */
import { decode, encodedLength, encodeInto, type PublishPacket } from "@ternmq/codec";
import type { OutboundInflight, RetainedMessage, SessionMessage } from "@ternmq/session";
import { badStoredData } from "./errors.js";

const FORMAT_WITHOUT_PROPERTIES = 4;
const FORMAT_WITH_PROPERTIES = 5;
const PLACEHOLDER_PACKET_ID = 1;
const RECEIVED_AT_BYTES = 8;

/** Inflight states as the first byte of an inflight entry. */
const STATE_CODES = { "awaiting-puback": 1, "awaiting-pubrec": 2, "awaiting-pubcomp": 3 } as const;

/**
 * Encodes `message` into a new Buffer, after `headerBytes` bytes left for the caller, with
 * `topic` in place of the message's topic.
 *
 * Throws: MqttError `MQTT_ERR_INVALID_PACKET` (from the codec) for a message that is not a
 * valid PUBLISH, before anything is written.
 */
function encodeWithHeader(message: SessionMessage, topic: string, headerBytes: number): Buffer {
  const format =
    message.properties !== undefined ? FORMAT_WITH_PROPERTIES : FORMAT_WITHOUT_PROPERTIES;
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup: false,
    packetId: message.qos > 0 ? PLACEHOLDER_PACKET_ID : undefined,
    properties: message.properties,
  };
  const options = { protocolVersion: format } as const;
  const bytes = Buffer.allocUnsafe(headerBytes + 1 + encodedLength(packet, options));
  bytes[headerBytes] = format;
  encodeInto(packet, bytes, headerBytes + 1, options);
  return bytes;
}

function decodeAt(bytes: Uint8Array, offset: number, topic?: string): SessionMessage {
  const format = bytes[offset];
  if (format !== FORMAT_WITHOUT_PROPERTIES && format !== FORMAT_WITH_PROPERTIES) {
    throw new TypeError(`unknown stored message format ${String(format)}`);
  }
  const packet = decode(bytes.subarray(offset + 1), { protocolVersion: format });
  if (packet.type !== "publish") throw new TypeError(`stored message is a ${packet.type}`);
  const message: SessionMessage = {
    topic: topic ?? packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
  };
  if (format === FORMAT_WITH_PROPERTIES) message.properties = packet.properties ?? {};
  return message;
}

/** Encodes a queued or inbox message. Throws: see `encodeWithHeader`. */
export function encodeMessage(message: SessionMessage): Buffer {
  return encodeWithHeader(message, message.topic, 0);
}

/** Decodes what `encodeMessage` wrote. Throws: an error that maps to STORE_CORRUPT. */
export function decodeMessage(bytes: Uint8Array): SessionMessage {
  try {
    return decodeAt(bytes, 0);
  } catch (error) {
    throw badStoredData("a stored message", error);
  }
}

/** Encodes an inflight entry: its state byte, then its message (none for awaiting-pubcomp). */
export function encodeInflight(entry: OutboundInflight): Buffer {
  const state = STATE_CODES[entry.state];
  if (state === undefined) throw new TypeError(`unknown inflight state ${String(entry.state)}`);
  if (entry.state === "awaiting-pubcomp") return Buffer.of(state);
  const bytes = encodeWithHeader(entry.message, entry.message.topic, 1);
  bytes[0] = state;
  return bytes;
}

/** Decodes what `encodeInflight` wrote for `packetId`. */
export function decodeInflight(packetId: number, bytes: Uint8Array): OutboundInflight {
  try {
    const state = bytes[0];
    if (state === STATE_CODES["awaiting-pubcomp"]) return { packetId, state: "awaiting-pubcomp" };
    const message = decodeAt(bytes, 1);
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
  const bytes = encodeWithHeader(message, "", RECEIVED_AT_BYTES);
  bytes.writeDoubleBE(message.receivedAt, 0);
  return bytes;
}

/** Decodes what `encodeRetained` wrote for `topic`. */
export function decodeRetained(topic: string, bytes: Buffer): RetainedMessage {
  try {
    if (bytes.length <= RECEIVED_AT_BYTES) throw new TypeError("too short");
    const receivedAt = bytes.readDoubleBE(0);
    return { ...decodeAt(bytes, RECEIVED_AT_BYTES, topic), receivedAt };
  } catch (error) {
    throw badStoredData(`the retained message of "${topic}"`, error);
  }
}
