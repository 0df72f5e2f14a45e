/**
 * Hand-made MQTT byte sequences for tests that must send what an encoder refuses to produce
 * (reserved bits, bad UTF-8, missing fields), and a splitter for the frames a server sent.
 */

const utf8Encoder = new TextEncoder();

/** A 2-byte big-endian length followed by `bytes` (an MQTT string or binary field). */
export function lengthPrefixed(bytes: readonly number[] | Uint8Array): number[] {
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

/** An MQTT UTF-8 string field. */
export function stringField(text: string): number[] {
  return lengthPrefixed(utf8Encoder.encode(text));
}

/** A 2-byte packet identifier. */
export function packetIdField(packetId: number): number[] {
  return [packetId >> 8, packetId & 0xff];
}

/** A whole packet: first byte, Remaining Length (variable byte integer), body. */
export function frame(firstByte: number, body: readonly number[]): Uint8Array {
  const length: number[] = [];
  let rest = body.length;
  do {
    let digit = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) digit |= 0x80;
    length.push(digit);
  } while (rest > 0);
  return Uint8Array.from([firstByte, ...length, ...body]);
}

export interface RawConnectOptions {
  protocolName?: string;
  level?: number;
  /** The Connect Flags byte as sent (default: Clean Session only). */
  flags?: number;
  keepalive?: number;
  /** The payload bytes as sent (default: client id "raw"). */
  payload?: readonly number[];
}

/** A CONNECT packet built field by field, with no validation. */
export function rawConnect(options: RawConnectOptions = {}): Uint8Array {
  const keepalive = options.keepalive ?? 60;
  return frame(0x10, [
    ...stringField(options.protocolName ?? "MQTT"),
    options.level ?? 4,
    options.flags ?? 0x02,
    keepalive >> 8,
    keepalive & 0xff,
    ...(options.payload ?? stringField("raw")),
  ]);
}

/** One frame as it was on the wire. */
export interface WireFrame {
  firstByte: number;
  remainingLength: number;
  body: Uint8Array;
}

/** Splits a byte stream into frames by their fixed headers (complete frames only). */
export function splitFrames(chunks: readonly Uint8Array[]): WireFrame[] {
  const bytes = Uint8Array.from(chunks.flatMap((chunk) => [...chunk]));
  const frames: WireFrame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const firstByte = bytes[offset] ?? 0;
    let remainingLength = 0;
    let multiplier = 1;
    let cursor = offset + 1;
    for (;;) {
      const digit = bytes[cursor];
      if (digit === undefined) return frames;
      cursor += 1;
      remainingLength += (digit & 0x7f) * multiplier;
      multiplier *= 128;
      if ((digit & 0x80) === 0) break;
    }
    if (cursor + remainingLength > bytes.length) return frames;
    frames.push({
      firstByte,
      remainingLength,
      body: bytes.subarray(cursor, cursor + remainingLength),
    });
    offset = cursor + remainingLength;
  }
  return frames;
}
