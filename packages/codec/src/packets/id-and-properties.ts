/**
 * The variable header that SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK share: a packet
 * identifier, then (5.0 only) a property section. One place measures and writes it, so the
 * four packet modules differ only in what follows.
 */
import { checkPacketId, writeU16 } from "../byte-writer.js";
import {
  type PropertyContextName,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import type { AllProperties, ProtocolVersion } from "../types.js";

/** Bytes of the packet id and, at level 5, the property section; validates both. */
export function idAndPropertiesLength(
  packetId: number,
  properties: AllProperties | undefined,
  context: PropertyContextName,
  level: ProtocolVersion,
): number {
  checkPacketId(packetId);
  if (level !== 5) return 2;
  return 2 + propertiesSectionLength(propertiesContentLength(properties, context));
}

/** Writes what idAndPropertiesLength measured; returns the offset past it. */
export function writeIdAndProperties(
  target: Uint8Array,
  offset: number,
  packetId: number,
  properties: AllProperties | undefined,
  context: PropertyContextName,
  level: ProtocolVersion,
): number {
  const position = writeU16(target, offset, packetId);
  if (level !== 5) return position;
  const contentLength = propertiesContentLength(properties, context);
  return writeProperties(target, position, properties, contentLength);
}
