/**
 * Seeded robustness: random bytes and mutated valid packets (bit flips, truncation, inserted
 * bytes) at every level never make the codec throw anything but an MqttError, and never hang:
 * the decoder returns undefined (awaiting bytes), returns packets, or throws a typed error.
 */
import { Decoder, decode, encode, MqttError, type ProtocolVersion } from "@ternmq/codec";
import { concatBytes, splitAt } from "@ternmq/testkit";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { anyPacket, clientPacket, connectPacket, LEVELS, serverPacket } from "./arbitraries.js";

const RUNS = 300;

type Outcome = "awaiting" | "error";

/**
 * Feeds `chunks` to `decoder`, draining after each; returns how it ended. Each returned packet
 * consumes at least 2 bytes, so more than `limit` packets would mean a loop that never ends.
 */
function run(decoder: Decoder, chunks: readonly Uint8Array[], limit: number): Outcome {
  let packets = 0;
  try {
    for (const chunk of chunks) {
      decoder.push(chunk);
      while (decoder.next() !== undefined) {
        packets++;
        if (packets > limit) throw new Error("decoder keeps returning packets");
      }
    }
    return "awaiting";
  } catch (error) {
    if (!MqttError.isInstance(error)) throw error;
    // Poisoned: the same typed error again.
    expect(() => decoder.next()).toThrow(error);
    return "error";
  }
}

/** A mutation of valid bytes: flip bits, cut the end, insert or overwrite bytes. */
function mutated(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      bytes,
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 3 })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([original, edits]) => {
      let result: Uint8Array = Uint8Array.from(original);
      for (const [position, value, kind] of edits) {
        const at = result.length === 0 ? 0 : position % result.length;
        if (kind === 0) {
          if (result.length > 0) result[at] = (result[at] as number) ^ (1 << (value % 8));
        } else if (kind === 1) {
          result = result.slice(0, at);
        } else if (kind === 2) {
          result = concatBytes([result.subarray(0, at), Uint8Array.of(value), result.subarray(at)]);
        } else if (result.length > 0) {
          result[at] = value;
        }
      }
      return result;
    });
}

function decoders(level: ProtocolVersion): (() => Decoder)[] {
  return [
    () => new Decoder({ role: "server" }),
    () => new Decoder({ role: "client", protocolVersion: level }),
    () => new Decoder({ role: "client", protocolVersion: level, maxPacketSize: 64 }),
  ];
}

describe.each(LEVELS)("level %i", (level: ProtocolVersion) => {
  test("random bytes in random chunks: awaiting, packets or a typed error", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 96 }),
        fc.array(fc.nat({ max: 96 }), { maxLength: 6 }),
        fc.nat({ max: 2 }),
        (bytes, cuts, which) => {
          const decoder = (decoders(level)[which] as () => Decoder)();
          run(decoder, splitAt(bytes, cuts), bytes.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("random bytes after a valid CONNECT (server role)", () => {
    fc.assert(
      fc.property(connectPacket(level), fc.uint8Array({ maxLength: 64 }), (connect, bytes) => {
        const decoder = new Decoder({ role: "server" });
        const stream = concatBytes([encode(connect, { protocolVersion: level }), bytes]);
        run(decoder, [stream], stream.length);
      }),
      { numRuns: RUNS },
    );
  });

  test("mutated client packets after a valid CONNECT (server role)", () => {
    const options = { protocolVersion: level };
    const stream = fc
      .tuple(connectPacket(level), fc.array(clientPacket(level), { minLength: 1, maxLength: 3 }))
      .map(([connect, packets]) => ({
        head: encode(connect, options),
        rest: concatBytes(packets.map((packet) => encode(packet, options))),
      }));
    fc.assert(
      fc.property(
        stream.chain(({ head, rest }) =>
          mutated(fc.constant(rest)).map((tail) => concatBytes([head, tail])),
        ),
        fc.array(fc.nat({ max: 256 }), { maxLength: 5 }),
        (bytes, cuts) => {
          run(new Decoder({ role: "server" }), splitAt(bytes, cuts), bytes.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("mutated server packets (client role)", () => {
    const options = { protocolVersion: level };
    const stream = fc
      .array(serverPacket(level), { minLength: 1, maxLength: 3 })
      .map((packets) => concatBytes(packets.map((packet) => encode(packet, options))));
    fc.assert(
      fc.property(
        mutated(stream),
        fc.array(fc.nat({ max: 256 }), { maxLength: 5 }),
        (bytes, cuts) => {
          run(
            new Decoder({ role: "client", protocolVersion: level }),
            splitAt(bytes, cuts),
            bytes.length,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("decode() of a mutated packet returns a packet or throws an MqttError", () => {
    const options = { protocolVersion: level };
    fc.assert(
      fc.property(mutated(anyPacket(level).map((packet) => encode(packet, options))), (bytes) => {
        try {
          const packet = decode(bytes, options);
          expect(typeof packet.type).toBe("string");
        } catch (error) {
          if (!MqttError.isInstance(error)) throw error;
          expect(error.code).toMatch(/^MQTT_ERR_/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("strict UTF-8", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /** A QoS 0 PUBLISH at level 4 whose topic is `topic` (raw bytes) and payload empty. */
  function publishWithTopic(topic: Uint8Array): Uint8Array {
    return concatBytes([Uint8Array.of(0x30, topic.length + 2, 0, topic.length), topic]);
  }

  test("[MQTT-1.5.3-1] topics decode exactly when a fatal TextDecoder accepts them", () => {
    const byteSoup = fc.uint8Array({ maxLength: 12 });
    const nearUtf8 = fc
      .array(
        fc.oneof(
          fc.integer({ min: 0x80, max: 0xbf }),
          fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
          fc.integer({ min: 0x01, max: 0x7f }),
        ),
        { maxLength: 12 },
      )
      .map((values) => Uint8Array.from(values));
    fc.assert(
      fc.property(fc.oneof(byteSoup, nearUtf8), (topic) => {
        let expected: string | undefined;
        try {
          expected = fatal.decode(topic);
        } catch {
          expected = undefined;
        }
        try {
          const packet = decode(publishWithTopic(topic), { protocolVersion: 4 });
          expect(packet.type === "publish" && packet.topic).toBe(expected);
          expect(expected?.includes("\0")).toBe(false);
        } catch (error) {
          if (!MqttError.isInstance(error)) throw error;
          if (expected === undefined) {
            // Ill-formed; a U+0000 before the ill-formed part is reported first.
            const codes = topic.includes(0)
              ? ["MQTT_ERR_MALFORMED_UTF8", "MQTT_ERR_UTF8_NULL_CHARACTER"]
              : ["MQTT_ERR_MALFORMED_UTF8"];
            expect(codes).toContain(error.code);
          } else {
            // Well-formed but holding U+0000 ([MQTT-1.5.3-2]).
            expect(expected.includes("\0")).toBe(true);
            expect(error.code).toBe("MQTT_ERR_UTF8_NULL_CHARACTER");
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("encoding corrupted packets", () => {
  const badValues: unknown[] = [
    undefined,
    null,
    -1,
    1.5,
    3,
    0x1_0000,
    2 ** 32,
    268_435_456,
    Number.NaN,
    "",
    "x\u0000",
    "\ud800",
    true,
    {},
    [],
    [null],
    new Uint8Array(0x1_0000),
  ];

  /** Every [container, key] reachable in `value`, byte arrays excluded. */
  function slots(value: unknown, found: [Record<string, unknown>, string][] = []) {
    if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return found;
    for (const key of Object.keys(value)) {
      found.push([value as Record<string, unknown>, key]);
      slots((value as Record<string, unknown>)[key], found);
    }
    return found;
  }

  test.each(LEVELS)(
    "level %i: encode throws MQTT_ERR_INVALID_PACKET or writes bytes that decode",
    (level) => {
      const options = { protocolVersion: level };
      fc.assert(
        fc.property(
          anyPacket(level),
          fc.nat(),
          fc.constantFrom(...badValues),
          (packet, at, bad) => {
            const copy = structuredClone(packet);
            const places = slots(copy);
            const place = places[at % places.length];
            if (place === undefined) return;
            const [container, key] = place;
            container[key] = bad;
            let bytes: Uint8Array;
            try {
              bytes = encode(copy, options);
            } catch (error) {
              if (!MqttError.isInstance(error)) throw error;
              expect(error.code).toBe("MQTT_ERR_INVALID_PACKET");
              return;
            }
            // Whatever the encoder accepts, the decoder accepts too.
            expect(
              decode(bytes, { protocolVersion: copy.type === "connect" ? 5 : level }).type,
            ).toBe(copy.type);
          },
        ),
        { numRuns: RUNS * 2 },
      );
    },
  );
});
