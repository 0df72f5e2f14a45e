/**
 * Round trips over random packets of every type at every level: what `encode` writes,
 * `decode` and the streaming `Decoder` (random chunkings, several packets per chunk) read back
 * as the same packet; `encodedLength` and `encodeInto` agree with `encode`; `preparePublish`
 * writes the same bytes as `encode`.
 */
import {
  Decoder,
  decode,
  encode,
  encodedLength,
  encodeInto,
  type Packet,
  type ProtocolVersion,
  preparePublish,
} from "@ternmq/codec";
import { concatBytes, splitAt, toHex } from "@ternmq/testkit";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  anyPacket,
  clientPacket,
  connectPacket,
  LEVELS,
  normalForm,
  plain,
  publish,
  publishProperties,
  serverPacket,
} from "./arbitraries.js";

const RUNS = 150;

/** Every packet the decoder has ready now. */
function drain(decoder: Decoder): Packet[] {
  const packets: Packet[] = [];
  for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
    packets.push(packet);
  }
  return packets;
}

/** Random cut offsets into a byte sequence of up to `max` bytes. */
const cuts = fc.array(fc.nat({ max: 2048 }), { maxLength: 12 });

describe.each(LEVELS)("level %i", (level: ProtocolVersion) => {
  const options = { protocolVersion: level };

  test("decode(encode(p)) is p in normal form, for every packet type", () => {
    fc.assert(
      fc.property(anyPacket(level), (packet) => {
        const bytes = encode(packet, options);
        expect(plain(decode(bytes, options))).toStrictEqual(plain(normalForm(packet, level)));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test("encodedLength equals the encoded size and encodeInto writes the same bytes", () => {
    fc.assert(
      fc.property(anyPacket(level), fc.nat({ max: 8 }), (packet, offset) => {
        const bytes = encode(packet, options);
        expect(encodedLength(packet, options)).toBe(bytes.length);
        const target = new Uint8Array(offset + bytes.length + 3).fill(0xee);
        expect(encodeInto(packet, target, offset, options)).toBe(offset + bytes.length);
        expect(toHex(target.subarray(offset, offset + bytes.length))).toBe(toHex(bytes));
        expect(target[offset + bytes.length]).toBe(0xee);
      }),
      { numRuns: RUNS },
    );
  });

  test("encode(decode(b)) is b for the encoder's own output", () => {
    fc.assert(
      fc.property(anyPacket(level), (packet) => {
        const bytes = encode(packet, options);
        expect(toHex(encode(decode(bytes, options), options))).toBe(toHex(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  test("a client-role Decoder reads server packets across random chunk splits", () => {
    fc.assert(
      fc.property(
        fc.array(serverPacket(level), { minLength: 1, maxLength: 6 }),
        cuts,
        (packets, offsets) => {
          const stream = concatBytes(packets.map((packet) => encode(packet, options)));
          const decoder = new Decoder({ role: "client", protocolVersion: level });
          const decoded: Packet[] = [];
          for (const chunk of splitAt(stream, offsets)) {
            decoder.push(chunk);
            decoded.push(...drain(decoder));
          }
          expect(plain(decoded)).toStrictEqual(plain(packets.map((p) => normalForm(p, level))));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("a server-role Decoder takes the level from CONNECT and reads client packets", () => {
    fc.assert(
      fc.property(
        connectPacket(level),
        fc.array(clientPacket(level), { maxLength: 6 }),
        cuts,
        (connect, packets, offsets) => {
          const all = [connect, ...packets];
          const stream = concatBytes(all.map((packet) => encode(packet, options)));
          const decoder = new Decoder({ role: "server" });
          const decoded: Packet[] = [];
          for (const chunk of splitAt(stream, offsets)) {
            decoder.push(chunk);
            decoded.push(...drain(decoder));
          }
          expect(decoder.protocolVersion).toBe(level);
          expect(plain(decoded)).toStrictEqual(plain(all.map((p) => normalForm(p, level))));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("preparePublish encode and chunks equal encode of the same PUBLISH", () => {
    fc.assert(
      fc.property(
        publish(level, "server"),
        fc.array(
          fc.record({
            qos: fc.constantFrom(0, 1, 2 as const),
            packetId: fc.integer({ min: 1, max: 0xffff }),
            dup: fc.boolean(),
            retain: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        publishProperties,
        (message, deliveries, properties) => {
          const shared = {
            type: "publish" as const,
            topic: message.topic,
            payload: message.payload,
            retain: message.retain,
            ...(level === 5 ? { properties } : {}),
          };
          const prepared = preparePublish(shared, options);
          for (const { qos, packetId, dup, retain } of deliveries) {
            const id = qos > 0 ? packetId : undefined;
            const flags = qos > 0 && dup;
            const expected = encode(
              {
                ...shared,
                qos: qos as 0 | 1 | 2,
                dup: flags,
                retain,
                ...(id === undefined ? {} : { packetId: id }),
              },
              options,
            );
            const bytes = prepared.encode(qos as 0 | 1 | 2, id, flags, retain);
            expect(toHex(bytes)).toBe(toHex(expected));
            const chunks = prepared.chunks(qos as 0 | 1 | 2, id, flags, retain);
            expect(chunks).toHaveLength(2);
            expect(chunks[1]).toBe(message.payload); // the payload itself, not a copy
            expect(toHex(concatBytes(chunks))).toBe(toHex(expected));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
