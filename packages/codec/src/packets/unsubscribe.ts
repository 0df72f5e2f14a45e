/**
 * UNSUBSCRIBE (section 3.10): packet identifier, 5.0 properties, one or more topic filters.
 */

import type { ByteReader } from "../byte-reader.js";
import { stringFieldLength, writeString } from "../byte-writer.js";
import { codecError, invalidPacket } from "../errors.js";
import { decodeProperties } from "../properties.js";
import type { ProtocolVersion, UnsubscribePacket } from "../types.js";
import { idAndPropertiesLength, writeIdAndProperties } from "./id-and-properties.js";

export function decodeUnsubscribe(reader: ByteReader, level: ProtocolVersion): UnsubscribePacket {
  const packetId = reader.packetId();
  const properties = level === 5 ? decodeProperties(reader, "unsubscribe") : undefined;
  const topicFilters: string[] = [];
  while (reader.remaining > 0) topicFilters.push(reader.utf8("topic filter"));
  if (topicFilters.length === 0) {
    throw codecError(
      "MQTT_ERR_EMPTY_UNSUBSCRIBE",
      "UNSUBSCRIBE without a topic filter",
      "MQTT-3.10.3-2",
    );
  }
  if (properties === undefined) return { type: "unsubscribe", packetId, topicFilters };
  return { type: "unsubscribe", packetId, topicFilters, properties };
}

export function measureUnsubscribe(packet: UnsubscribePacket, level: ProtocolVersion): number {
  let length = idAndPropertiesLength(packet.packetId, packet.properties, "unsubscribe", level);
  const filters = packet.topicFilters;
  if (!Array.isArray(filters) || filters.length === 0) {
    throw invalidPacket("topicFilters", "must hold at least one topic filter [MQTT-3.10.3-2]");
  }
  for (let index = 0; index < filters.length; index++) {
    length += stringFieldLength(filters[index] as string, "topicFilters[#]", index);
  }
  return length;
}

export function writeUnsubscribe(
  packet: UnsubscribePacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeIdAndProperties(
    target,
    offset,
    packet.packetId,
    packet.properties,
    "unsubscribe",
    level,
  );
  for (const filter of packet.topicFilters) {
    position = writeString(target, position, filter, stringFieldLength(filter, ""));
  }
  return position;
}
