/**
 * Compact bytes for the messages the store keeps (queued, inflight and retained messages).
 *
 * Design: a message is stored as one BLOB: a format byte followed by the message encoded as
 * an MQTT PUBLISH packet by `@ternmq/codec`, the serialiser the broker already trusts to
 * round-trip every field (topic, QoS, RETAIN, every 5.0 property in order, payload bytes).
 * The format byte is the protocol level used: 4 (3.1.1) for a message without `properties`,
 * 5 for one with them, so that a message stored without properties comes back without them
 * and one with an empty property bag comes back with it. The packet id of a QoS 1/2 message
 * is a placeholder (1): ids belong to the inflight rows, not to the message. Retained rows
 * key on the topic, so their BLOB is encoded with an empty topic and the topic column is put
 * back on decode. Decoding returns the payload as a view of the row's buffer (no copy).
 */
import { decode, encodedLength, encodeInto, type PublishPacket } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import { badStoredData } from "./errors.js";

const FORMAT_WITHOUT_PROPERTIES = 4;
const FORMAT_WITH_PROPERTIES = 5;
const PLACEHOLDER_PACKET_ID = 1;

/**
 * Encodes `message` into a fresh BLOB; `topic` replaces the message's topic when given (the
 * empty string for retained rows, whose topic is their key).
 *
 * Throws: MqttError `MQTT_ERR_INVALID_PACKET` (from the codec) for a message that is not a
 * valid PUBLISH, before anything is written.
 */
export function encodeMessage(message: SessionMessage, topic = message.topic): Uint8Array {
  const withProperties = message.properties !== undefined;
  const format = withProperties ? FORMAT_WITH_PROPERTIES : FORMAT_WITHOUT_PROPERTIES;
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
  const blob = Buffer.allocUnsafe(1 + encodedLength(packet, options));
  blob[0] = format;
  encodeInto(packet, blob, 1, options);
  return blob;
}

/**
 * Decodes a BLOB written by `encodeMessage`; `topic` replaces the stored topic when given.
 *
 * Throws: an error that maps to MQTT_ERR_STORE_CORRUPT (`badStoredData`) when the bytes are
 * not a stored message.
 */
export function decodeMessage(blob: Uint8Array, topic?: string): SessionMessage {
  try {
    const format = blob[0];
    if (format !== FORMAT_WITHOUT_PROPERTIES && format !== FORMAT_WITH_PROPERTIES) {
      throw new TypeError(`unknown stored message format ${String(format)}`);
    }
    const packet = decode(blob.subarray(1), { protocolVersion: format });
    if (packet.type !== "publish") throw new TypeError(`stored message is a ${packet.type}`);
    const message: SessionMessage = {
      topic: topic ?? packet.topic,
      payload: packet.payload,
      qos: packet.qos,
      retain: packet.retain,
    };
    if (format === FORMAT_WITH_PROPERTIES) message.properties = packet.properties ?? {};
    return message;
  } catch (error) {
    throw badStoredData("a stored message", error);
  }
}
