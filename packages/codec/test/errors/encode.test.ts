// Encoding errors: encode, encodedLength and encodeInto refuse packets that would put invalid
// bytes on the wire (MQTT_ERR_INVALID_PACKET), and encodeInto refuses a target that is too
// small (MQTT_ERR_BUFFER_TOO_SMALL) without writing past it.
import {
  encode,
  encodedLength,
  encodeInto,
  type Packet,
  type ProtocolVersion,
} from "@ternmq/codec";
import { toHex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";
import { caught } from "./check-error.js";

const payload = new Uint8Array([0x68, 0x69]);

interface InvalidPacket {
  name: string;
  level: ProtocolVersion;
  packet: Packet;
}

const invalidPackets: readonly InvalidPacket[] = [
  {
    name: "[MQTT-2.3.1-1] a QoS 1 PUBLISH without a packet identifier",
    level: 4,
    packet: { type: "publish", topic: "a/b", payload, qos: 1, retain: false, dup: false },
  },
  {
    name: "[MQTT-2.3.1-1] a QoS 2 PUBLISH without a packet identifier at level 5",
    level: 5,
    packet: { type: "publish", topic: "a/b", payload, qos: 2, retain: false, dup: false },
  },
  {
    name: "[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet identifier 0",
    level: 4,
    packet: {
      type: "publish",
      topic: "a/b",
      payload,
      qos: 1,
      retain: false,
      dup: false,
      packetId: 0,
    },
  },
  {
    name: "a topic of 65,536 UTF-8 bytes",
    level: 4,
    packet: {
      type: "publish",
      topic: "a".repeat(65_536),
      payload,
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "a topic of 32,768 two-byte characters (65,536 UTF-8 bytes)",
    level: 3,
    packet: {
      type: "publish",
      topic: "é".repeat(32_768),
      payload,
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "a client id of 65,536 bytes",
    level: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c".repeat(65_536),
      clean: true,
      keepalive: 60,
    },
  },
  {
    name: "a user property value of 65,536 bytes",
    level: 5,
    packet: {
      type: "puback",
      packetId: 1,
      reasonCode: 0,
      properties: { userProperties: [["k", "v".repeat(65_536)]] },
    },
  },
];

describe("MQTT_ERR_INVALID_PACKET", () => {
  for (const { name, level, packet } of invalidPackets) {
    test(`${name}: encode, encodedLength and encodeInto refuse it`, () => {
      const options = { protocolVersion: level };
      const attempts = [
        () => encode(packet, options),
        () => encodedLength(packet, options),
        () => encodeInto(packet, new Uint8Array(200_000), 0, options),
      ];
      for (const attempt of attempts) {
        expect(caught(attempt).code).toBe("MQTT_ERR_INVALID_PACKET");
      }
    });
  }

  test("a topic of exactly 65,535 bytes is still encoded, with length prefix ff ff", () => {
    const packet: Packet = {
      type: "publish",
      topic: "a".repeat(65_535),
      payload,
      qos: 0,
      retain: false,
      dup: false,
    };
    const bytes = encode(packet, { protocolVersion: 4 });
    // fixed header 30 + 3-byte remaining length (65,539), then the topic length prefix
    expect(toHex(bytes.subarray(0, 6))).toBe("30 83 80 04 ff ff");
    expect(bytes.length).toBe(1 + 3 + 2 + 65_535 + 2);
  });
});

describe("MQTT_ERR_BUFFER_TOO_SMALL", () => {
  const packet: Packet = {
    type: "publish",
    topic: "a/b",
    payload,
    qos: 1,
    retain: false,
    dup: false,
    packetId: 1,
  };
  const options = { protocolVersion: 4 } as const;
  const size = 11; // 32 09, topic "a/b", packet id, "hi"

  test("encodeInto a target one byte too short throws and writes nothing past the target", () => {
    expect(encodedLength(packet, options)).toBe(size);
    const memory = new Uint8Array(size + 4).fill(0xee);
    const target = memory.subarray(0, size - 1);
    expect(caught(() => encodeInto(packet, target, 0, options)).code).toBe(
      "MQTT_ERR_BUFFER_TOO_SMALL",
    );
    expect(toHex(memory.subarray(size - 1))).toBe("ee ee ee ee ee");
  });

  test("encodeInto at an offset that leaves too little room throws", () => {
    const target = new Uint8Array(size + 5);
    expect(caught(() => encodeInto(packet, target, 6, options)).code).toBe(
      "MQTT_ERR_BUFFER_TOO_SMALL",
    );
  });

  test("encodeInto at an offset that leaves exactly enough room succeeds", () => {
    const target = new Uint8Array(size + 5);
    expect(encodeInto(packet, target, 5, options)).toBe(size + 5);
    expect(toHex(target.subarray(5))).toBe("32 09 00 03 61 2f 62 00 01 68 69");
  });
});
