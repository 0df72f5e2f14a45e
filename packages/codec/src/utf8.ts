/**
 * Strict UTF-8 for MQTT strings ([MQTT-1.5.3-1], [MQTT-1.5.3-2]): no ill-formed sequences, no
 * overlong forms, no surrogate code points, no U+0000. A byte order mark is kept, never
 * stripped ([MQTT-1.5.3-3]).
 *
 * Design: decoding first scans for the common all-ASCII case (topics, client ids) and takes a
 * native slice; anything else runs through a hand-written validator (faster than a fatal
 * TextDecoder for short strings, and TextDecoder accepts U+0000) before the native decode.
 * Encoding measures with the same kind of scan, which also rejects what cannot be encoded.
 */
import { codecError, invalidPacket } from "./errors.js";
import { decodeAscii, decodeValidUtf8, writeUtf8Native } from "./platform.js";

/** Decodes and validates `bytes[start, end)`. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  for (let index = start; index < end; index++) {
    const byte = bytes[index] as number;
    if (byte === 0) throw nullCharacter();
    if (byte >= 0x80) {
      validateUtf8(bytes, index, end);
      return decodeValidUtf8(bytes, start, end);
    }
  }
  return decodeAscii(bytes, start, end);
}

function nullCharacter() {
  return codecError("MQTT_ERR_UTF8_NULL_CHARACTER", "string contains U+0000");
}

function malformed(detail: string) {
  return codecError("MQTT_ERR_MALFORMED_UTF8", `ill-formed UTF-8: ${detail}`);
}

/** Checks `bytes[start, end)` against the UTF-8 well-formedness table (Unicode 3.9, D92). */
function validateUtf8(bytes: Uint8Array, start: number, end: number): void {
  let index = start;
  while (index < end) {
    const lead = bytes[index] as number;
    if (lead < 0x80) {
      if (lead === 0) throw nullCharacter();
      index++;
      continue;
    }
    let length: number;
    let lowest = 0x80;
    let highest = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0)
        lowest = 0xa0; // overlong
      else if (lead === 0xed) highest = 0x9f; // U+D800..U+DFFF surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0)
        lowest = 0x90; // overlong
      else if (lead === 0xf4) highest = 0x8f; // above U+10FFFF
    } else {
      throw malformed(`invalid lead byte 0x${lead.toString(16)}`);
    }
    if (index + length > end) throw malformed("sequence cut short");
    const second = bytes[index + 1] as number;
    if (second < lowest || second > highest) {
      throw malformed(`invalid continuation byte 0x${second.toString(16)}`);
    }
    for (let next = index + 2; next < index + length; next++) {
      const byte = bytes[next] as number;
      if (byte < 0x80 || byte > 0xbf) {
        throw malformed(`invalid continuation byte 0x${byte.toString(16)}`);
      }
    }
    index += length;
  }
}

/**
 * UTF-8 size of `text` for encoding; throws MQTT_ERR_INVALID_PACKET naming `field` (`#` standing
 * for `part`, see invalidPacket) when the
 * string holds U+0000 or a lone surrogate (neither may be sent, [MQTT-1.5.3-1/2]).
 */
export function utf8Length(text: string, field: string, part?: string | number): number {
  const length = text.length;
  let bytes = length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code === 0) throw invalidPacket(field, "contains U+0000", part);
    } else if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const low = text.charCodeAt(index + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
        throw invalidPacket(field, "contains a lone surrogate", part);
      }
      bytes += 2; // 2 UTF-16 units -> 4 bytes
      index++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** Strings at most this long that are pure ASCII are copied by hand (cheaper than a call out). */
const SHORT_ASCII = 48;

/** Writes `text` (measured by utf8Length as `byteLength` bytes) at `offset`. */
export function writeUtf8(
  target: Uint8Array,
  offset: number,
  text: string,
  byteLength: number,
): number {
  const length = text.length;
  if (byteLength === length && length <= SHORT_ASCII) {
    for (let index = 0; index < length; index++) target[offset + index] = text.charCodeAt(index);
  } else {
    writeUtf8Native(target, offset, text, byteLength);
  }
  return offset + byteLength;
}
