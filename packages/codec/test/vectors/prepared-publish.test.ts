// preparePublish (the fan-out path) must produce, for every QoS / packet id / DUP / RETAIN, the
// same bytes as the hand-written PUBLISH vectors, and hand the payload back without a copy.
import { preparePublish } from "@ternmq/codec";
import { concatBytes, hex, toHex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";
import { utf8 } from "./check-vector.js";

describe("preparePublish", () => {
  const payload = utf8("hi");
  const level4 = preparePublish(
    { type: "publish", topic: "a/b", payload, retain: false },
    { protocolVersion: 4 },
  );
  const cases = [
    {
      name: "QoS 0 at level 4",
      args: [0, undefined, false, false] as const,
      bytes: hex`30 07  00 03 61 2f 62  68 69  // PUBLISH QoS 0, "a/b", "hi"`,
    },
    {
      name: "QoS 1 with RETAIN and packet id 10 at level 4",
      args: [1, 10, false, true] as const,
      bytes: hex`33 09  00 03 61 2f 62  00 0a  68 69  // PUBLISH QoS 1 RETAIN, "a/b", id 10`,
    },
    {
      name: "[MQTT-3.3.1-1] QoS 2 with DUP and packet id 65535 at level 4",
      args: [2, 65535, true, false] as const,
      bytes: hex`3c 09  00 03 61 2f 62  ff ff  68 69  // PUBLISH DUP QoS 2, "a/b", id 65535`,
    },
  ];

  for (const { name, args, bytes } of cases) {
    const [qos, packetId, dup, retain] = args;
    test(`${name}: encode() gives the vector's bytes`, () => {
      expect(toHex(level4.encode(qos, packetId, dup, retain))).toBe(toHex(bytes));
    });
    test(`${name}: chunks() concatenate to the same bytes and end with the payload itself`, () => {
      const chunks = level4.chunks(qos, packetId, dup, retain);
      expect(toHex(concatBytes(chunks))).toBe(toHex(bytes));
      expect(chunks.at(-1)).toBe(payload);
    });
  }

  test("each call returns fresh bytes: a later call does not change an earlier result", () => {
    const first = level4.encode(1, 1, false, false);
    const copy = toHex(first);
    level4.encode(1, 2, true, true);
    level4.encode(0, undefined, false, false);
    expect(toHex(first)).toBe(copy);
  });

  test("at level 5 the properties are encoded once into the header", () => {
    const prepared = preparePublish(
      {
        type: "publish",
        topic: "a/b",
        payload,
        retain: false,
        properties: { messageExpiryInterval: 60 },
      },
      { protocolVersion: 5 },
    );
    expect(toHex(prepared.encode(1, 7, false, false))).toBe(
      toHex(hex`
        32 0f           // PUBLISH, QoS 1, remaining length 15
        00 03 61 2f 62  // topic "a/b"
        00 07           // packet identifier 7
        05              // property length 5
        02 00 00 00 3c  //   0x02 message expiry interval 60 s
        68 69           // payload "hi"
      `),
    );
  });

  test("[MQTT-2.3.1-1] a QoS 1 delivery without a packet identifier is refused", () => {
    expect(() => level4.encode(1, undefined, false, false)).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_INVALID_PACKET" }),
    );
  });
});
