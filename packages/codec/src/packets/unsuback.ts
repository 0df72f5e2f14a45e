/**
 * UNSUBACK (section 3.11): packet identifier; in 5.0 followed by properties and one reason code
 * per topic filter.
 */

import type { ByteReader } from "../byte-reader.js";
import { writeU8 } from "../byte-writer.js";
import { decodeProperties } from "../properties.js";
import type { ProtocolVersion, UnsubackPacket } from "../types.js";
import { idAndPropertiesLength, writeIdAndProperties } from "./id-and-properties.js";
import { readReasonCodeList, reasonCodeListLength } from "./reason-code-list.js";

export function decodeUnsuback(reader: ByteReader, level: ProtocolVersion): UnsubackPacket {
  const packetId = reader.packetId();
  if (level < 5) {
    reader.expectEnd("unsuback");
    return { type: "unsuback", packetId };
  }
  const properties = decodeProperties(reader, "unsuback");
  return {
    type: "unsuback",
    packetId,
    reasonCodes: readReasonCodeList(reader, "unsuback"),
    properties,
  };
}

export function measureUnsuback(packet: UnsubackPacket, level: ProtocolVersion): number {
  const header = idAndPropertiesLength(packet.packetId, packet.properties, "unsuback", level);
  if (level < 5) return header;
  return header + reasonCodeListLength(packet.reasonCodes, "unsuback");
}

export function writeUnsuback(
  packet: UnsubackPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeIdAndProperties(
    target,
    offset,
    packet.packetId,
    packet.properties,
    "unsuback",
    level,
  );
  if (level < 5) return position;
  for (const code of packet.reasonCodes ?? []) position = writeU8(target, position, code);
  return position;
}
