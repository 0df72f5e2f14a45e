/**
 * Bounds-checked reads of MQTT data types from one packet's bytes.
 *
 * Design: a reader covers exactly one packet body `bytes[offset, end)` (rule 2: a packet decoder
 * never sees the next packet's bytes). Every read that would pass `end` throws
 * MQTT_ERR_TRUNCATED_PACKET. A reader is reset and reused per packet by the streaming decoder,
 * so the hot path allocates no reader objects. Binary fields are returned as views (no copy).
 */
import { codecError } from "./errors.js";
import { decodeUtf8 } from "./utf8.js";

const EMPTY = new Uint8Array(0);

export class ByteReader {
  bytes: Uint8Array = EMPTY;
  offset = 0;
  end = 0;

  /** Points the reader at `bytes[offset, end)`. */
  reset(bytes: Uint8Array, offset: number, end: number): void {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws MQTT_ERR_TRUNCATED_PACKET unless `count` more bytes are available. */
  need(count: number, what: string): void {
    if (this.end - this.offset < count) {
      throw codecError("MQTT_ERR_TRUNCATED_PACKET", `packet ends inside ${what}`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const bytes = this.bytes;
    const offset = this.offset;
    this.offset = offset + 2;
    return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  }

  u32(what: string): number {
    this.need(4, what);
    const bytes = this.bytes;
    const offset = this.offset;
    this.offset = offset + 4;
    return (
      (bytes[offset] as number) * 0x1000000 +
      (((bytes[offset + 1] as number) << 16) |
        ((bytes[offset + 2] as number) << 8) |
        (bytes[offset + 3] as number))
    );
  }

  /** A Variable Byte Integer inside the packet body (property length, property values). */
  varint(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let count = 0; count < 4; count++) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return value;
      multiplier *= 128;
    }
    throw codecError(
      "MQTT_ERR_MALFORMED_VARIABLE_BYTE_INTEGER",
      `${what} uses more than 4 bytes`,
      "MQTT-1.5.5",
    );
  }

  /** A UTF-8 Encoded String: 2-byte length, then strictly validated UTF-8. */
  utf8(what: string): string {
    const length = this.u16(what);
    this.need(length, what);
    const start = this.offset;
    this.offset = start + length;
    return decodeUtf8(this.bytes, start, start + length);
  }

  /** Binary Data: 2-byte length, then the bytes (a view into the packet). */
  binary(what: string): Uint8Array {
    const length = this.u16(what);
    this.need(length, what);
    const start = this.offset;
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  /** Everything up to the end of the packet (a view). */
  rest(): Uint8Array {
    const start = this.offset;
    this.offset = this.end;
    return this.bytes.subarray(start, this.end);
  }

  /** A non-zero Packet Identifier ([MQTT-2.3.1-1]). */
  packetId(): number {
    const id = this.u16("packet identifier");
    if (id === 0) {
      throw codecError("MQTT_ERR_PACKET_ID_ZERO", "packet identifier is 0");
    }
    return id;
  }

  /** Throws MQTT_ERR_TRAILING_BYTES if bytes remain after the last field of `packetName`. */
  expectEnd(packetName: string): void {
    if (this.offset !== this.end) {
      throw codecError(
        "MQTT_ERR_TRAILING_BYTES",
        `${this.end - this.offset} unexpected byte(s) after the last field of ${packetName}`,
      );
    }
  }
}
