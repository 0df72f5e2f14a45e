/**
 * CONNACK (section 3.2): acknowledge flags (Session Present), return code (3.1, 3.1.1) or
 * Connect Reason Code (5.0), 5.0 properties.
 */
import type { ByteReader } from "../byte-reader.js";
import { writeU8 } from "../byte-writer.js";
import { codecError, invalidPacket } from "../errors.js";
import {
  decodeProperties,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import { isAllowedReasonCode } from "../reason-codes.js";
import type { ConnackPacket, ProtocolVersion } from "../types.js";
import { checkReasonCode } from "./reason-tail.js";

export function decodeConnack(reader: ByteReader, level: ProtocolVersion): ConnackPacket {
  const acknowledgeFlags = reader.u8("connect acknowledge flags");
  if ((acknowledgeFlags & 0xfe) !== 0) {
    throw codecError(
      "MQTT_ERR_CONNACK_RESERVED_FLAGS",
      "connect acknowledge flags bits 7-1 are not 0",
      "MQTT-3.2.2-1",
    );
  }
  const reasonCode = checkReasonCode(
    reader.u8("connect return code"),
    level === 5 ? "connack" : "connackLegacy",
  );
  const sessionPresent = acknowledgeFlags === 1;
  if (level < 5) {
    reader.expectEnd("connack");
    return { type: "connack", sessionPresent, reasonCode };
  }
  const properties = decodeProperties(reader, "connack");
  reader.expectEnd("connack");
  return { type: "connack", sessionPresent, reasonCode, properties };
}

export function measureConnack(packet: ConnackPacket, level: ProtocolVersion): number {
  if (typeof packet.sessionPresent !== "boolean") {
    throw invalidPacket("sessionPresent", "must be a boolean");
  }
  if (!isAllowedReasonCode(level === 5 ? "connack" : "connackLegacy", packet.reasonCode)) {
    throw invalidPacket("reasonCode", `not a CONNACK code at protocol level ${level}`);
  }
  if (level < 5) return 2;
  return 2 + propertiesSectionLength(propertiesContentLength(packet.properties, "connack"));
}

export function writeConnack(
  packet: ConnackPacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeU8(target, offset, packet.sessionPresent ? 1 : 0);
  position = writeU8(target, position, packet.reasonCode);
  if (level < 5) return position;
  const content = propertiesContentLength(packet.properties, "connack");
  return writeProperties(target, position, packet.properties, content);
}
