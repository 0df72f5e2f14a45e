/**
 * Shared runner for the byte-exact vectors: each vector is one declarative entry (bytes written
 * by hand from the specification, and the packet they mean) and this module turns it into the
 * same three checks for every packet type and level:
 *
 * 1. `decode(bytes)` returns exactly the packet, in the contract's normal form (no
 *    `undefined`-valued keys, binary fields compared by content);
 * 2. `encode(packet)` returns exactly the bytes, `encodedLength` agrees and `encodeInto` writes
 *    the same bytes at an offset (skipped for `decodeOnly` vectors: valid but non-canonical
 *    encodings such as a property section in a different order);
 * 3. a streaming `Decoder` fed every single cut of the bytes, and the bytes one at a time,
 *    yields that packet exactly once, only after the last byte, and keeps nothing buffered.
 */
import {
  Decoder,
  decode,
  encode,
  encodedLength,
  encodeInto,
  type Packet,
  type ProtocolVersion,
} from "@ternmq/codec";
import { everySplit, hex, toHex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";

export interface Vector {
  /** Test name; starts with the normative statement (`[MQTT-x.x.x-y]`) when one applies. */
  name: string;
  level: ProtocolVersion;
  /** Who sends the packet; the decoder under test takes the other role. */
  sender: "client" | "server";
  bytes: Uint8Array;
  /** The packet in decoded normal form. */
  packet: Packet;
  /** Valid bytes that the encoder is free to produce differently: decode checks only. */
  decodeOnly?: boolean;
}

const textEncoder = new TextEncoder();

/** UTF-8 bytes of `text`, for payloads and binary properties written as text. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** The smallest CONNECT of each level (client id "c"), fed first to a server-role decoder. */
const openingConnect: Record<ProtocolVersion, Uint8Array> = {
  3: hex`10 0f  00 06 4d 51 49 73 64 70  03  02  00 3c  00 01 63`,
  4: hex`10 0d  00 04 4d 51 54 54  04  02  00 3c  00 01 63`,
  5: hex`10 0e  00 04 4d 51 54 54  05  02  00 3c  00  00 01 63`,
};

/** Role of the decoder that receives what `sender` sends. */
export function receiverRole(sender: "client" | "server"): "server" | "client" {
  return sender === "client" ? "server" : "client";
}

/**
 * A decoder ready to receive a packet of `level` from `sender`: a server-role decoder has
 * already consumed a CONNECT of that level (unless the packet under test is that CONNECT).
 */
export function readyDecoder(
  level: ProtocolVersion,
  sender: "client" | "server",
  options: { skipConnect?: boolean; maxPacketSize?: number } = {},
): Decoder {
  const role = receiverRole(sender);
  const sizeOption =
    options.maxPacketSize === undefined ? {} : { maxPacketSize: options.maxPacketSize };
  if (role === "client") return new Decoder({ role, protocolVersion: level, ...sizeOption });
  const decoder = new Decoder({ role, ...sizeOption });
  if (options.skipConnect !== true) {
    decoder.push(openingConnect[level]);
    const connect = decoder.next();
    expect(connect?.type).toBe("connect");
    expect(decoder.protocolVersion).toBe(level);
  }
  return decoder;
}

/**
 * Deep copy into the shape `toStrictEqual` compares by content: every byte view becomes a
 * plain Uint8Array (a decoder may return Buffer views), arrays and objects are copied with
 * their keys, so an `undefined`-valued key still shows up as a difference.
 */
export function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) copy[key] = normalise(entry);
    return copy;
  }
  return value;
}

/** Every packet the decoder has ready now. */
export function drain(decoder: Decoder): Packet[] {
  const packets: Packet[] = [];
  for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
    packets.push(packet);
  }
  return packets;
}

/**
 * Guards the hand-written fixture itself: the remaining length in its fixed header must count
 * exactly the bytes that follow, or the vector would test the wrong thing.
 */
export function expectConsistentFixture(bytes: Uint8Array): void {
  let remainingLength = 0;
  let index = 1;
  for (let multiplier = 1; index < 5; index++, multiplier *= 128) {
    const byte = bytes[index] ?? 0;
    remainingLength += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
  }
  expect(bytes.length - index - 1, "fixture remaining length").toBe(remainingLength);
}

function checkDecode(vector: Vector): void {
  expectConsistentFixture(vector.bytes);
  const decoded = decode(vector.bytes, {
    protocolVersion: vector.level,
    role: receiverRole(vector.sender),
  });
  expect(normalise(decoded)).toStrictEqual(normalise(vector.packet));
}

function checkEncode(vector: Vector): void {
  const options = { protocolVersion: vector.level };
  expect(toHex(encode(vector.packet, options))).toBe(toHex(vector.bytes));
  expect(encodedLength(vector.packet, options)).toBe(vector.bytes.length);
  const offset = 3;
  const target = new Uint8Array(offset + vector.bytes.length + 2).fill(0xee);
  expect(encodeInto(vector.packet, target, offset, options)).toBe(offset + vector.bytes.length);
  expect(toHex(target.subarray(offset, offset + vector.bytes.length))).toBe(toHex(vector.bytes));
  expect(toHex(target.subarray(0, offset))).toBe("ee ee ee");
  expect(toHex(target.subarray(offset + vector.bytes.length))).toBe("ee ee");
}

function checkStreaming(vector: Vector): void {
  const skipConnect = vector.packet.type === "connect";
  for (const chunks of everySplit(vector.bytes)) {
    const decoder = readyDecoder(vector.level, vector.sender, { skipConnect });
    const packets: Packet[] = [];
    chunks.forEach((chunk, index) => {
      decoder.push(chunk);
      packets.push(...drain(decoder));
      if (index < chunks.length - 1) expect(packets, `early packet, cut ${index}`).toEqual([]);
    });
    expect(packets.map(normalise), `chunks ${chunks.map((c) => c.length).join("+")}`).toStrictEqual(
      [normalise(vector.packet)],
    );
    expect(decoder.bufferedBytes).toBe(0);
  }
}

/** Registers the checks of every vector under one `describe`. */
export function describeVectors(title: string, vectors: readonly Vector[]): void {
  describe(title, () => {
    for (const vector of vectors) {
      describe(`${vector.name} (level ${vector.level}, from ${vector.sender})`, () => {
        test("decode(bytes) returns the packet", () => checkDecode(vector));
        if (vector.decodeOnly !== true) {
          test("encode(packet) returns the bytes", () => checkEncode(vector));
        }
        test("a streaming Decoder yields it across every chunk split", () =>
          checkStreaming(vector));
      });
    }
  });
}
