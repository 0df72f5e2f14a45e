/**
 * Writes of MQTT data types into a buffer sized in advance. Encoding measures a packet first
 * (exact size), allocates once, then writes in place; these helpers therefore do no bounds
 * checks and return the offset just past what they wrote.
 */
import { invalidPacket } from "./errors.js";
import { utf8Length, writeUtf8 } from "./utf8.js";

/** Largest value of a Variable Byte Integer (and of the Remaining Length). */
export const MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

export function writeU8(target: Uint8Array, offset: number, value: number): number {
  target[offset] = value;
  return offset + 1;
}

export function writeU16(target: Uint8Array, offset: number, value: number): number {
  target[offset] = value >>> 8;
  target[offset + 1] = value & 0xff;
  return offset + 2;
}

export function writeU32(target: Uint8Array, offset: number, value: number): number {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
  return offset + 4;
}

/** Bytes a Variable Byte Integer of `value` takes (minimal encoding). */
export function varintLength(value: number): number {
  if (value < 128) return 1;
  if (value < 16_384) return 2;
  if (value < 2_097_152) return 3;
  return 4;
}

export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  let rest = value;
  let position = offset;
  while (rest >= 128) {
    target[position++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  target[position++] = rest;
  return position;
}

/**
 * Size of a UTF-8 Encoded String field (2-byte length included); validates the string. `field`
 * names it in errors, a `#` in it standing for `part`.
 */
export function stringFieldLength(text: string, field: string, part?: string | number): number {
  if (typeof text !== "string") throw invalidPacket(field, "must be a string", part);
  const length = utf8Length(text, field, part);
  if (length > 0xffff) {
    throw invalidPacket(field, `is ${length} UTF-8 bytes (max 65535)`, part);
  }
  return 2 + length;
}

/** Writes a UTF-8 Encoded String field measured by stringFieldLength as `fieldLength`. */
export function writeString(
  target: Uint8Array,
  offset: number,
  text: string,
  fieldLength: number,
): number {
  return writeUtf8(target, writeU16(target, offset, fieldLength - 2), text, fieldLength - 2);
}

/** Size of a Binary Data field (2-byte length included); validates it. */
export function binaryFieldLength(data: Uint8Array, field: string, part?: string): number {
  if (!(data instanceof Uint8Array)) throw invalidPacket(field, "must be a Uint8Array", part);
  if (data.length > 0xffff) {
    throw invalidPacket(field, `is ${data.length} bytes (max 65535)`, part);
  }
  return 2 + data.length;
}

export function writeBinary(target: Uint8Array, offset: number, data: Uint8Array): number {
  const start = writeU16(target, offset, data.length);
  target.set(data, start);
  return start + data.length;
}

/** Validates a packet identifier for encoding (1..65535, [MQTT-2.3.1-1]). */
export function checkPacketId(packetId: unknown, field = "packetId"): number {
  if (
    typeof packetId !== "number" ||
    !Number.isInteger(packetId) ||
    packetId < 1 ||
    packetId > 0xffff
  ) {
    throw invalidPacket(field, "must be an integer from 1 to 65535");
  }
  return packetId;
}

/** Validates an integer field from 0 to `maximum` for encoding. */
export function checkUnsigned(value: unknown, maximum: number, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > maximum) {
    throw invalidPacket(field, `must be an integer from 0 to ${maximum}`);
  }
  return value;
}
