/**
 * DISCONNECT (section 3.14). Empty below 5.0. In 5.0 an optional reason code and optional
 * properties: Remaining Length 0 means 0x00 Normal disconnection without properties.
 */
import type { ByteReader } from "../byte-reader.js";
import { propertiesContentLength } from "../properties.js";
import type { DisconnectPacket, ProtocolVersion } from "../types.js";
import {
  readReasonTail,
  reasonCodeToEncode,
  reasonTailLength,
  writeReasonTail,
} from "./reason-tail.js";

export function decodeDisconnect(reader: ByteReader, level: ProtocolVersion): DisconnectPacket {
  if (level < 5) {
    reader.expectEnd("disconnect");
    return { type: "disconnect" };
  }
  const packet: DisconnectPacket = { type: "disconnect" };
  readReasonTail(reader, packet, "disconnect", "disconnect");
  reader.expectEnd("disconnect");
  return packet;
}

export function measureDisconnect(packet: DisconnectPacket, level: ProtocolVersion): number {
  if (level < 5) return 0;
  const reasonCode = reasonCodeToEncode(packet.reasonCode, "disconnect");
  return reasonTailLength(reasonCode, propertiesContentLength(packet.properties, "disconnect"));
}

export function writeDisconnect(
  packet: DisconnectPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  if (level < 5) return offset;
  const contentLength = propertiesContentLength(packet.properties, "disconnect");
  return writeReasonTail(target, offset, packet.reasonCode ?? 0, packet.properties, contentLength);
}
