/**
 * The codec without Node's Buffer (as in a browser): allocation, UTF-8 encoding and decoding
 * fall back to Uint8Array, TextEncoder and TextDecoder and give the same bytes and packets.
 */
import type * as Codec from "@ternmq/codec";
import { toHex } from "@ternmq/testkit";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

let browserCodec: typeof Codec;
let nodeCodec: typeof Codec;

beforeAll(async () => {
  nodeCodec = await import("@ternmq/codec");
  vi.resetModules();
  vi.stubGlobal("Buffer", undefined);
  try {
    browserCodec = await import("@ternmq/codec");
  } finally {
    vi.unstubAllGlobals();
  }
});

afterAll(() => {
  vi.resetModules();
});

const packets: Codec.Packet[] = [
  {
    type: "publish",
    topic: "sensors/room-12/temperature",
    payload: Uint8Array.of(1, 2, 3),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 9,
    properties: { contentType: "text/plain; charset=utf-8", userProperties: [["é", "𝄞"]] },
  },
  {
    type: "publish",
    // longer than the hand-copied ASCII fast path, with multi-byte characters
    topic: `${"long/".repeat(12)}café/日本/🚀`,
    payload: new Uint8Array(0),
    qos: 0,
    retain: true,
    dup: false,
    properties: {},
  },
  {
    type: "connect",
    protocolVersion: 5,
    clientId: "client-ü",
    clean: true,
    keepalive: 30,
    username: "ascii-user-name-that-is-definitely-longer-than-forty-eight-characters",
    properties: {},
  },
];

describe("without globalThis.Buffer", () => {
  test.each(packets.map((packet) => [packet.type, packet] as const))(
    "%s encodes to the same bytes and decodes to the same packet",
    (_type, packet) => {
      const options = { protocolVersion: 5 as const };
      const bytes = browserCodec.encode(packet, options);
      expect(bytes.constructor).toBe(Uint8Array);
      expect(toHex(bytes)).toBe(toHex(nodeCodec.encode(packet, options)));
      const decoded = browserCodec.decode(bytes, { protocolVersion: 5 });
      expect(decoded).toEqual(nodeCodec.decode(bytes, { protocolVersion: 5 }));
    },
  );

  test("strict UTF-8 validation still applies", () => {
    const overlong = Uint8Array.of(0x30, 0x05, 0x00, 0x02, 0xc0, 0xaf, 0x00);
    expect(() => browserCodec.decode(overlong, { protocolVersion: 4 })).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_MALFORMED_UTF8" }),
    );
  });

  test("preparePublish produces plain Uint8Arrays", () => {
    const prepared = browserCodec.preparePublish(
      { type: "publish", topic: "a", payload: Uint8Array.of(7), retain: false },
      { protocolVersion: 4 },
    );
    const bytes = prepared.encode(1, 3, false, false);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(toHex(bytes)).toBe("32 06 00 01 61 00 03 07");
  });
});
