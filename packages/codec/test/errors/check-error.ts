/**
 * Shared runner for malformed-input vectors: each entry is a byte sequence that breaks one
 * rule, and the error it must raise (`code`, the normative statement in `spec`, and where one
 * applies the 5.0 `reasonCode` and the 3.1.1 `connackReturnCode`). Never the message text.
 *
 * Each vector is checked three ways:
 * 1. `decode(bytes)` throws that error (unless `streamOnly`: errors that only exist for a
 *    stream, such as the first packet of a connection not being CONNECT);
 * 2. a Decoder fed the bytes whole throws it from `next()`;
 * 3. a Decoder fed one byte at a time returns `undefined` until it has seen enough, then
 *    throws it.
 * In both streaming cases the Decoder then stays poisoned: every further `next()` throws the
 * same error, even after the rest of the bytes and a valid packet arrive.
 */
import { type Decoder, decode, MqttError, type ProtocolVersion } from "@ternmq/codec";
import { byteAtATime, hex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";
import { expectConsistentFixture, readyDecoder, receiverRole } from "../vectors/check-vector.js";

export interface ErrorVector {
  /** Test name; starts with the normative statement when one applies. */
  name: string;
  level: ProtocolVersion;
  /** Who sends the bytes; the decoder under test takes the other role. */
  sender: "client" | "server";
  bytes: Uint8Array;
  code: string;
  /**
   * The statement `error.spec` must name, or the statements it may name where several say
   * the same thing. When absent, `spec` must still name some MQTT statement.
   */
  spec?: string | readonly string[];
  reasonCode?: number;
  connackReturnCode?: number;
  /** A server-role decoder gets these bytes as its first packet (no CONNECT before them). */
  firstPacket?: boolean;
  maxPacketSize?: number;
  /** The bytes are a fixed header only, announcing a body that is not there. */
  headerOnly?: boolean;
  /** The rule only exists for a stream of packets: `decode()` is not checked. */
  streamOnly?: boolean;
}

/** A valid packet for each receiving role, pushed after the error to prove the poisoning. */
const validFollowUp = {
  server: hex`c0 00`, // PINGREQ
  client: hex`d0 00`, // PINGRESP
} as const;

/** Runs `action`, expecting it to throw a codec error; returns that error. */
export function caught(action: () => unknown): MqttError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(MqttError.isInstance(thrown), `expected an MqttError, got ${String(thrown)}`).toBe(true);
  return thrown as MqttError;
}

export function expectError(error: MqttError, vector: Omit<ErrorVector, "bytes" | "name">): void {
  expect(error.code).toBe(vector.code);
  expect(error.spec).toMatch(/^MQTT-\d/);
  if (typeof vector.spec === "string") expect(error.spec).toBe(vector.spec);
  else if (vector.spec !== undefined) expect(vector.spec).toContain(error.spec);
  if (vector.reasonCode !== undefined) expect(error.reasonCode).toBe(vector.reasonCode);
  if (vector.connackReturnCode !== undefined) {
    expect(error.connackReturnCode).toBe(vector.connackReturnCode);
  }
}

function decoderFor(vector: ErrorVector): Decoder {
  const options = vector.maxPacketSize === undefined ? {} : { maxPacketSize: vector.maxPacketSize };
  return readyDecoder(vector.level, vector.sender, {
    ...options,
    skipConnect: vector.firstPacket === true,
  });
}

function expectPoisoned(decoder: Decoder, first: MqttError, vector: ErrorVector): void {
  expect(caught(() => decoder.next())).toBe(first);
  decoder.push(validFollowUp[receiverRole(vector.sender)]);
  expect(caught(() => decoder.next())).toBe(first);
}

function checkWhole(vector: ErrorVector): void {
  const decoder = decoderFor(vector);
  decoder.push(vector.bytes);
  const error = caught(() => decoder.next());
  expectError(error, vector);
  expectPoisoned(decoder, error, vector);
}

function checkByteAtATime(vector: ErrorVector): void {
  const decoder = decoderFor(vector);
  let error: MqttError | undefined;
  for (const chunk of byteAtATime(vector.bytes)) {
    decoder.push(chunk);
    if (error !== undefined) {
      expect(caught(() => decoder.next())).toBe(error);
      continue;
    }
    let packet: unknown;
    try {
      packet = decoder.next();
    } catch (thrown) {
      error = caught(() => {
        throw thrown;
      });
      continue;
    }
    expect(packet, "a packet came out of malformed bytes").toBeUndefined();
  }
  expect(error, "no error after the last byte").toBeDefined();
  if (error === undefined) return;
  expectError(error, vector);
  expectPoisoned(decoder, error, vector);
}

/** Registers the checks of every malformed vector under one `describe`. */
export function describeErrors(title: string, vectors: readonly ErrorVector[]): void {
  describe(title, () => {
    for (const vector of vectors) {
      describe(`${vector.name} (level ${vector.level}, from ${vector.sender})`, () => {
        if (vector.headerOnly !== true) {
          test("the fixture's remaining length counts its bytes", () =>
            expectConsistentFixture(vector.bytes));
        }
        if (vector.streamOnly !== true) {
          test(`decode() throws ${vector.code}`, () => {
            const error = caught(() =>
              decode(vector.bytes, {
                protocolVersion: vector.level,
                role: receiverRole(vector.sender),
              }),
            );
            expectError(error, vector);
          });
        }
        test(`a Decoder fed the bytes whole throws ${vector.code} and stays poisoned`, () =>
          checkWhole(vector));
        test(`a Decoder fed one byte at a time throws ${vector.code} and stays poisoned`, () =>
          checkByteAtATime(vector));
      });
    }
  });
}
