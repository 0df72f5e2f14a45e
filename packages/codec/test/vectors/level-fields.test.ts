// The packet model is level-neutral (src/types.ts): 5.0-only fields (properties, reason codes of
// acknowledgements, DISCONNECT and UNSUBACK) are ignored when encoding for levels 3 and 4.
import { encode, type Packet, type ProtocolVersion } from "@ternmq/codec";
import { hex, toHex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";
import { utf8 } from "./check-vector.js";

const cases: readonly {
  name: string;
  level: ProtocolVersion;
  packet: Packet;
  bytes: Uint8Array;
}[] = [
  {
    name: "PUBLISH properties at level 4",
    level: 4,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
      properties: { messageExpiryInterval: 60, userProperties: [["a", "b"]] },
    },
    bytes: hex`30 07  00 03 61 2f 62  68 69  // PUBLISH QoS 0, "a/b", "hi": no property length`,
  },
  {
    name: "PUBACK reason code and properties at level 3",
    level: 3,
    packet: { type: "puback", packetId: 1, reasonCode: 0x10, properties: { reasonString: "x" } },
    bytes: hex`40 02  00 01  // PUBACK, packet id 1 only`,
  },
  {
    name: "DISCONNECT reason code at level 4",
    level: 4,
    packet: { type: "disconnect", reasonCode: 0x04 },
    bytes: hex`e0 00  // DISCONNECT, remaining length 0`,
  },
  {
    name: "UNSUBACK reason codes at level 4",
    level: 4,
    packet: { type: "unsuback", packetId: 2, reasonCodes: [0x11] },
    bytes: hex`b0 02  00 02  // UNSUBACK, packet id 2 only`,
  },
  {
    name: "CONNECT properties at level 4",
    level: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c1",
      clean: true,
      keepalive: 60,
      properties: { sessionExpiryInterval: 10 },
    },
    bytes: hex`
        10 0e                    // CONNECT, remaining length 14
        00 04 4d 51 54 54 04 02  // "MQTT", level 4, clean session
        00 3c 00 02 63 31        // keep alive 60, client id "c1": no property length
      `,
  },
];

describe("5.0-only fields below level 5", () => {
  for (const { name, level, packet, bytes } of cases) {
    test(`${name} are not encoded`, () => {
      expect(toHex(encode(packet, { protocolVersion: level }))).toBe(toHex(bytes));
    });
  }
});
