/**
 * SUBACK (section 3.9): packet identifier, 5.0 properties, one return / reason code per
 * subscription (below 5.0 only 0, 1, 2 and 0x80 exist).
 */
import type { ByteReader } from "../byte-reader.js";
import { checkPacketId, writeU8, writeU16 } from "../byte-writer.js";
import {
  decodeProperties,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import type { ProtocolVersion, SubackPacket } from "../types.js";
import { readReasonCodeList, reasonCodeListLength } from "./reason-code-list.js";

export function decodeSuback(reader: ByteReader, level: ProtocolVersion): SubackPacket {
  const packetId = reader.packetId();
  if (level < 5) {
    return { type: "suback", packetId, reasonCodes: readReasonCodeList(reader, "subackLegacy") };
  }
  const properties = decodeProperties(reader, "suback");
  return {
    type: "suback",
    packetId,
    reasonCodes: readReasonCodeList(reader, "suback"),
    properties,
  };
}

export function measureSuback(packet: SubackPacket, level: ProtocolVersion): number {
  checkPacketId(packet.packetId);
  let length =
    2 + reasonCodeListLength(packet.reasonCodes, level === 5 ? "suback" : "subackLegacy");
  if (level === 5) {
    length += propertiesSectionLength(propertiesContentLength(packet.properties, "suback"));
  }
  return length;
}

export function writeSuback(
  packet: SubackPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeU16(target, offset, packet.packetId);
  if (level === 5) {
    const content = propertiesContentLength(packet.properties, "suback");
    position = writeProperties(target, position, packet.properties, content);
  }
  for (const code of packet.reasonCodes) position = writeU8(target, position, code);
  return position;
}
