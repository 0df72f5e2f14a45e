/**
 * UNSUBACK (section 3.11): packet identifier; in 5.0 followed by properties and one reason code
 * per topic filter.
 */
import type { ByteReader } from "../byte-reader.js";
import { checkPacketId, writeU8, writeU16 } from "../byte-writer.js";
import {
  decodeProperties,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import type { ProtocolVersion, UnsubackPacket } from "../types.js";
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
  checkPacketId(packet.packetId);
  if (level < 5) return 2;
  return (
    2 +
    propertiesSectionLength(propertiesContentLength(packet.properties, "unsuback")) +
    reasonCodeListLength(packet.reasonCodes, "unsuback")
  );
}

export function writeUnsuback(
  packet: UnsubackPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeU16(target, offset, packet.packetId);
  if (level < 5) return position;
  const content = propertiesContentLength(packet.properties, "unsuback");
  position = writeProperties(target, position, packet.properties, content);
  for (const code of packet.reasonCodes ?? []) position = writeU8(target, position, code);
  return position;
}
