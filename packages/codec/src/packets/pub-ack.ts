/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4-3.7): one layout, so one module. Packet
 * identifier; in 5.0 followed by the reason code and properties, both omissible
 * (Remaining Length 2 means Success without properties).
 */
import type { ByteReader } from "../byte-reader.js";
import { checkPacketId, writeU16 } from "../byte-writer.js";
import { propertiesContentLength } from "../properties.js";
import type {
  ProtocolVersion,
  PubackPacket,
  PubcompPacket,
  PubrecPacket,
  PubrelPacket,
} from "../types.js";
import {
  readReasonTail,
  reasonCodeToEncode,
  reasonTailLength,
  writeReasonTail,
} from "./reason-tail.js";

export type PubAckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;
type PubAckType = PubAckPacket["type"];

export function decodePubAck<T extends PubAckType>(
  type: T,
  reader: ByteReader,
  level: ProtocolVersion,
): Extract<PubAckPacket, { type: T }> {
  const packetId = reader.packetId();
  if (level < 5) {
    reader.expectEnd(type);
    return { type, packetId } as Extract<PubAckPacket, { type: T }>;
  }
  const packet = { type, packetId } as Extract<PubAckPacket, { type: T }>;
  readReasonTail(reader, packet, type, type);
  reader.expectEnd(type);
  return packet;
}

export function measurePubAck(packet: PubAckPacket, level: ProtocolVersion): number {
  checkPacketId(packet.packetId);
  if (level < 5) return 2;
  const reasonCode = reasonCodeToEncode(packet.reasonCode, packet.type);
  return 2 + reasonTailLength(reasonCode, propertiesContentLength(packet.properties, packet.type));
}

export function writePubAck(
  packet: PubAckPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  const position = writeU16(target, offset, packet.packetId);
  if (level < 5) return position;
  const reasonCode = packet.reasonCode ?? 0;
  const contentLength = propertiesContentLength(packet.properties, packet.type);
  return writeReasonTail(target, position, reasonCode, packet.properties, contentLength);
}
