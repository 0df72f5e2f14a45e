/**
 * PUBLISH (section 3.3): topic name, packet identifier when QoS > 0, 5.0 properties, payload.
 * This is the hot path: decoding makes one object per packet and returns the payload as a view
 * of the packet bytes; encoding measures the topic once.
 */
import type { ByteReader } from "../byte-reader.js";
import { checkPacketId, stringFieldLength, writeString, writeU16 } from "../byte-writer.js";
import { invalidPacket } from "../errors.js";
import {
  decodeProperties,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import type { ProtocolVersion, PublishPacket, QoS } from "../types.js";

/** Decodes a PUBLISH body; `flags` (checked by the fixed header) hold DUP, QoS and RETAIN. */
export function decodePublish(
  reader: ByteReader,
  flags: number,
  level: ProtocolVersion,
): PublishPacket {
  const qos = ((flags >> 1) & 3) as QoS;
  const retain = (flags & 1) === 1;
  const topic = reader.utf8("topic name");
  if (qos === 0) {
    if (level === 5) {
      const properties = decodeProperties(reader, "publish");
      return {
        type: "publish",
        topic,
        payload: reader.rest(),
        qos,
        retain,
        dup: false,
        properties,
      };
    }
    return { type: "publish", topic, payload: reader.rest(), qos, retain, dup: false };
  }
  const dup = (flags & 0b1000) !== 0;
  const packetId = reader.packetId();
  if (level === 5) {
    const properties = decodeProperties(reader, "publish");
    return {
      type: "publish",
      topic,
      payload: reader.rest(),
      qos,
      retain,
      dup,
      packetId,
      properties,
    };
  }
  return { type: "publish", topic, payload: reader.rest(), qos, retain, dup, packetId };
}

/** Fixed-header flags of a PUBLISH: DUP, QoS, RETAIN. */
export function publishFlags(qos: QoS, dup: boolean, retain: boolean): number {
  return (dup ? 0b1000 : 0) | (qos << 1) | (retain ? 1 : 0);
}

/** Validates QoS, DUP, RETAIN and packet id of a PUBLISH for encoding. */
export function checkPublishDelivery(
  qos: unknown,
  packetId: unknown,
  dup: unknown,
  retain: unknown,
): void {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw invalidPacket("qos", "must be 0, 1 or 2");
  if (typeof dup !== "boolean") throw invalidPacket("dup", "must be a boolean");
  if (typeof retain !== "boolean") throw invalidPacket("retain", "must be a boolean");
  if (qos === 0) {
    if (dup) throw invalidPacket("dup", "must be false at QoS 0 [MQTT-3.3.1-2]");
  } else {
    checkPacketId(packetId);
  }
}

/** Validates the fields every PUBLISH of a message shares; returns the topic field size. */
export function measurePublishMessage(topic: string, payload: unknown): number {
  if (!(payload instanceof Uint8Array)) throw invalidPacket("payload", "must be a Uint8Array");
  return stringFieldLength(topic, "topic");
}

// The topic size measured last, reused by the write that follows the measure.
let measuredTopic: string | undefined;
let measuredTopicLength = 0;

export function measurePublish(packet: PublishPacket, level: ProtocolVersion): number {
  checkPublishDelivery(packet.qos, packet.packetId, packet.dup, packet.retain);
  const topicLength = measurePublishMessage(packet.topic, packet.payload);
  measuredTopic = packet.topic;
  measuredTopicLength = topicLength;
  let length = topicLength + packet.payload.length;
  if (packet.qos > 0) length += 2;
  if (level === 5) {
    length += propertiesSectionLength(propertiesContentLength(packet.properties, "publish"));
  }
  return length;
}

export function writePublish(
  packet: PublishPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  const topic = packet.topic;
  const topicLength = topic === measuredTopic ? measuredTopicLength : stringFieldLength(topic, "");
  let position = writeString(target, offset, topic, topicLength);
  if (packet.qos > 0) position = writeU16(target, position, packet.packetId as number);
  if (level === 5) {
    const contentLength = propertiesContentLength(packet.properties, "publish");
    position = writeProperties(target, position, packet.properties, contentLength);
  }
  const payload = packet.payload;
  target.set(payload, position);
  return position + payload.length;
}
