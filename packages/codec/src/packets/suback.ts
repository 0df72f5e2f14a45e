/**
 * SUBACK (section 3.9): packet identifier, 5.0 properties, one return / reason code per
 * subscription (below 5.0 only 0, 1, 2 and 0x80 exist).
 */

import type { ByteReader } from "../byte-reader.js";
import { writeU8 } from "../byte-writer.js";
import { decodeProperties } from "../properties.js";
import type { ProtocolVersion, SubackPacket } from "../types.js";
import { idAndPropertiesLength, writeIdAndProperties } from "./id-and-properties.js";
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
  return (
    idAndPropertiesLength(packet.packetId, packet.properties, "suback", level) +
    reasonCodeListLength(packet.reasonCodes, level === 5 ? "suback" : "subackLegacy")
  );
}

export function writeSuback(
  packet: SubackPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeIdAndProperties(
    target,
    offset,
    packet.packetId,
    packet.properties,
    "suback",
    level,
  );
  for (const code of packet.reasonCodes) position = writeU8(target, position, code);
  return position;
}
