/**
 * AUTH (section 3.15, 5.0 only): optional reason code and optional properties; Remaining
 * Length 0 means 0x00 Success without properties.
 */
import type { ByteReader } from "../byte-reader.js";
import { invalidPacket } from "../errors.js";
import { propertiesContentLength } from "../properties.js";
import type { AuthPacket, ProtocolVersion } from "../types.js";
import {
  readReasonTail,
  reasonCodeToEncode,
  reasonTailLength,
  writeReasonTail,
} from "./reason-tail.js";

export function decodeAuth(reader: ByteReader): AuthPacket {
  const packet: AuthPacket = { type: "auth" };
  readReasonTail(reader, packet, "auth", "auth");
  reader.expectEnd("auth");
  return packet;
}

export function measureAuth(packet: AuthPacket, level: ProtocolVersion): number {
  if (level < 5) throw invalidPacket("type", "AUTH exists only in MQTT 5.0");
  const reasonCode = reasonCodeToEncode(packet.reasonCode, "auth");
  return reasonTailLength(reasonCode, propertiesContentLength(packet.properties, "auth"));
}

export function writeAuth(packet: AuthPacket, target: Uint8Array, offset: number): number {
  const contentLength = propertiesContentLength(packet.properties, "auth");
  return writeReasonTail(target, offset, packet.reasonCode ?? 0, packet.properties, contentLength);
}
