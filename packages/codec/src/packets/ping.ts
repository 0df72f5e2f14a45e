/**
 * PINGREQ and PINGRESP (sections 3.12, 3.13): a fixed header and nothing else.
 */
import type { ByteReader } from "../byte-reader.js";
import type { PingreqPacket, PingrespPacket } from "../types.js";

export function decodePing<T extends "pingreq" | "pingresp">(
  type: T,
  reader: ByteReader,
): Extract<PingreqPacket | PingrespPacket, { type: T }> {
  reader.expectEnd(type);
  return { type } as Extract<PingreqPacket | PingrespPacket, { type: T }>;
}
