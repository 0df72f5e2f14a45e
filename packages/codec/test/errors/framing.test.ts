// Fixed header errors: remaining length, packet size, packet type, reserved flag bits, and a
// remaining length that disagrees with the fields of the packet.
import { hex } from "@ternmq/testkit";
import { describeErrors, type ErrorVector } from "./check-error.js";

const levels = [3, 4, 5] as const;

describeErrors(
  "MQTT_ERR_MALFORMED_REMAINING_LENGTH",
  levels.map(
    (level): ErrorVector => ({
      name: "a remaining length of five bytes is malformed (section 2.2.3)",
      level,
      sender: "client",
      bytes: hex`
        30              // PUBLISH, QoS 0
        ff ff ff ff 7f  // remaining length: a fifth byte after four continuation bits
      `,
      headerOnly: true,
      code: "MQTT_ERR_MALFORMED_REMAINING_LENGTH",
      spec: ["MQTT-2.2.3", "MQTT-1.5.5"],
      reasonCode: 0x81,
    }),
  ),
);

describeErrors("MQTT_ERR_PACKET_TOO_LARGE", [
  {
    name: "a PUBLISH one byte over maxPacketSize is refused from its fixed header alone",
    level: 4,
    sender: "server",
    maxPacketSize: 10,
    streamOnly: true,
    headerOnly: true,
    bytes: hex`
      30 09  // PUBLISH, remaining length 9: 11 bytes in all, maxPacketSize 10
             // (no body: the size is checked before any of it is buffered)
    `,
    code: "MQTT_ERR_PACKET_TOO_LARGE",
    reasonCode: 0x95,
  },
  {
    name: "the protocol maximum remaining length is refused by a decoder limited to 1 KiB",
    level: 5,
    sender: "server",
    maxPacketSize: 1024,
    streamOnly: true,
    headerOnly: true,
    bytes: hex`
      30 ff ff ff 7f  // PUBLISH, remaining length 268435455
    `,
    code: "MQTT_ERR_PACKET_TOO_LARGE",
    reasonCode: 0x95,
  },
]);

describeErrors("MQTT_ERR_RESERVED_PACKET_TYPE", [
  ...levels.map(
    (level): ErrorVector => ({
      name: "packet type 0 is reserved (section 2.2.1)",
      level,
      sender: "client",
      bytes: hex`00 00  // type 0, remaining length 0`,
      code: "MQTT_ERR_RESERVED_PACKET_TYPE",
    }),
  ),
  {
    name: "packet type 0 is reserved when a client receives it too",
    level: 4,
    sender: "server",
    bytes: hex`00 00  // type 0, remaining length 0`,
    code: "MQTT_ERR_RESERVED_PACKET_TYPE",
  },
  {
    name: "packet type 15 (AUTH) is reserved at level 4 (section 2.2.1)",
    level: 4,
    sender: "client",
    bytes: hex`f0 00  // type 15, remaining length 0`,
    code: "MQTT_ERR_RESERVED_PACKET_TYPE",
  },
  {
    name: "packet type 15 (AUTH) is reserved at level 3",
    level: 3,
    sender: "server",
    bytes: hex`f0 00  // type 15, remaining length 0`,
    code: "MQTT_ERR_RESERVED_PACKET_TYPE",
  },
]);

/** Every packet type whose fixed header flags are fixed, with a wrong flag value. */
const wrongFlags: readonly {
  type: string;
  bytes: Uint8Array;
  sender: "client" | "server";
  levels: readonly (3 | 4 | 5)[];
  spec?: readonly string[];
}[] = [
  {
    type: "CONNECT with flags 0001",
    sender: "client",
    levels: [4],
    bytes: hex`
      11 0e                    // CONNECT with flags 0001, remaining length 14
      00 04 4d 51 54 54 04 02  // "MQTT", level 4, clean session
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
    `,
  },
  {
    type: "CONNACK with flags 0001",
    sender: "server",
    levels: [3, 4],
    bytes: hex`21 02 00 00  // CONNACK with flags 0001, accepted`,
  },
  {
    type: "CONNACK with flags 1000",
    sender: "server",
    levels: [5],
    bytes: hex`28 03 00 00 00  // CONNACK with flags 1000, success, no properties`,
  },
  {
    type: "PUBACK with flags 0010",
    sender: "client",
    levels: [3, 4, 5],
    bytes: hex`42 02 00 01  // PUBACK with flags 0010, packet id 1`,
  },
  {
    type: "PUBREC with flags 0001",
    sender: "server",
    levels: [4, 5],
    bytes: hex`51 02 00 01  // PUBREC with flags 0001, packet id 1`,
  },
  {
    type: "PUBREL with flags 0000",
    sender: "client",
    levels: [3, 4, 5],
    bytes: hex`60 02 00 01  // PUBREL with flags 0000 (must be 0010), packet id 1`,
    spec: ["MQTT-2.2.2-1", "MQTT-2.2.2-2", "MQTT-3.6.1-1"],
  },
  {
    type: "PUBREL with flags 0011",
    sender: "server",
    levels: [4],
    bytes: hex`63 02 00 01  // PUBREL with flags 0011 (must be 0010), packet id 1`,
    spec: ["MQTT-2.2.2-1", "MQTT-2.2.2-2", "MQTT-3.6.1-1"],
  },
  {
    type: "PUBCOMP with flags 1000",
    sender: "client",
    levels: [4, 5],
    bytes: hex`78 02 00 01  // PUBCOMP with flags 1000, packet id 1`,
  },
  {
    type: "SUBSCRIBE with flags 0000",
    sender: "client",
    levels: [3, 4],
    bytes: hex`
      80 06     // SUBSCRIBE with flags 0000 (must be 0010), remaining length 6
      00 01     // packet id 1
      00 01 61  // topic filter "a"
      00        // QoS 0
    `,
    spec: ["MQTT-2.2.2-1", "MQTT-2.2.2-2", "MQTT-3.8.1-1"],
  },
  {
    type: "SUBACK with flags 0010",
    sender: "server",
    levels: [4],
    bytes: hex`92 03 00 01 00  // SUBACK with flags 0010, packet id 1, granted QoS 0`,
  },
  {
    type: "UNSUBSCRIBE with flags 0000",
    sender: "client",
    levels: [4, 5],
    bytes: hex`
      a0 05     // UNSUBSCRIBE with flags 0000 (must be 0010), remaining length 5
      00 01     // packet id 1
      00 01 61  // topic filter "a"
    `,
    spec: ["MQTT-2.2.2-1", "MQTT-2.2.2-2", "MQTT-3.10.1-1"],
  },
  {
    type: "UNSUBACK with flags 0100",
    sender: "server",
    levels: [4],
    bytes: hex`b4 02 00 01  // UNSUBACK with flags 0100, packet id 1`,
  },
  {
    type: "PINGREQ with flags 0001",
    sender: "client",
    levels: [3, 4, 5],
    bytes: hex`c1 00  // PINGREQ with flags 0001`,
  },
  {
    type: "PINGRESP with flags 0010",
    sender: "server",
    levels: [4],
    bytes: hex`d2 00  // PINGRESP with flags 0010`,
  },
  {
    type: "DISCONNECT with flags 1000",
    sender: "client",
    levels: [4, 5],
    bytes: hex`e8 00  // DISCONNECT with flags 1000`,
  },
  {
    type: "AUTH with flags 0001",
    sender: "client",
    levels: [5],
    bytes: hex`f1 00  // AUTH with flags 0001`,
  },
];

describeErrors(
  "MQTT_ERR_INVALID_FIXED_HEADER_FLAGS",
  wrongFlags.flatMap(({ type, bytes, sender, levels: at, spec }) =>
    at.map(
      (level): ErrorVector => ({
        name: `[MQTT-2.2.2-2] ${type} is malformed`,
        level,
        sender,
        bytes,
        code: "MQTT_ERR_INVALID_FIXED_HEADER_FLAGS",
        spec: spec ?? ["MQTT-2.2.2-1", "MQTT-2.2.2-2"],
        firstPacket: type.startsWith("CONNECT "),
        reasonCode: 0x81,
      }),
    ),
  ),
);

describeErrors("MQTT_ERR_TRUNCATED_PACKET", [
  {
    name: "a QoS 1 PUBLISH whose remaining length leaves no room for the packet identifier",
    level: 4,
    sender: "client",
    bytes: hex`
      32 05           // PUBLISH, QoS 1, remaining length 5
      00 03 61 2f 62  // topic "a/b"; the packet identifier is missing
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a PUBLISH whose topic length runs past the remaining length",
    level: 3,
    sender: "server",
    bytes: hex`
      30 04        // PUBLISH, QoS 0, remaining length 4
      00 0a 61 62  // topic length 10, but only 2 bytes follow
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a PUBLISH at level 5 whose property length runs past the remaining length",
    level: 5,
    sender: "client",
    bytes: hex`
      30 06           // PUBLISH, QoS 0, remaining length 6
      00 03 61 2f 62  // topic "a/b"
      05              // property length 5, but no byte follows
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a PUBACK with a one-byte packet identifier",
    level: 4,
    sender: "server",
    bytes: hex`40 01 00  // PUBACK, remaining length 1`,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a PUBREL at level 5 with a one-byte packet identifier",
    level: 5,
    sender: "client",
    bytes: hex`62 01 00  // PUBREL, remaining length 1`,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a CONNACK with one byte",
    level: 4,
    sender: "server",
    bytes: hex`20 01 00  // CONNACK, remaining length 1`,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a CONNECT that ends after its connect flags",
    level: 4,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 08              // CONNECT, remaining length 8
      00 04 4d 51 54 54  // protocol name "MQTT"
      04 02              // level 4, clean session; keep alive and client id missing
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a CONNECT whose password flag promises a password that is missing",
    level: 4,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 14                    // CONNECT, remaining length 20
      00 04 4d 51 54 54 04     // "MQTT", level 4
      c2                       // flags: user name, password, clean session
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
      00 04 75 73 65 72        // user name "user"; no password follows
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
  {
    name: "a SUBSCRIBE whose last topic filter has no options byte",
    level: 4,
    sender: "client",
    bytes: hex`
      82 05     // SUBSCRIBE, remaining length 5
      00 01     // packet id 1
      00 01 61  // topic filter "a"; requested QoS missing
    `,
    code: "MQTT_ERR_TRUNCATED_PACKET",
  },
]);

describeErrors("MQTT_ERR_TRAILING_BYTES", [
  {
    name: "a PUBACK at level 4 with a third byte",
    level: 4,
    sender: "client",
    bytes: hex`40 03 00 01 00  // PUBACK, remaining length 3: 3.1.1 has no reason code`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "an UNSUBACK at level 3 with a third byte",
    level: 3,
    sender: "server",
    bytes: hex`b0 03 00 01 00  // UNSUBACK, remaining length 3`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a CONNACK at level 4 with a third byte",
    level: 4,
    sender: "server",
    bytes: hex`20 03 00 00 00  // CONNACK, remaining length 3`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a PINGREQ with a body",
    level: 4,
    sender: "client",
    bytes: hex`c0 01 00  // PINGREQ, remaining length 1`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a PINGRESP with a body",
    level: 5,
    sender: "server",
    bytes: hex`d0 01 00  // PINGRESP, remaining length 1`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a DISCONNECT at level 4 with a body",
    level: 4,
    sender: "client",
    bytes: hex`e0 01 00  // DISCONNECT, remaining length 1`,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a CONNECT with a byte after the client id",
    level: 4,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54 04 02  // "MQTT", level 4, clean session
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
      ff                       // nothing may follow the last payload field
    `,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
  {
    name: "a PUBACK at level 5 with a byte after its property section",
    level: 5,
    sender: "server",
    bytes: hex`
      40 05  // PUBACK, remaining length 5
      00 01  // packet id 1
      00     // reason code 0x00
      00     // property length 0
      ff     // a byte too many
    `,
    code: "MQTT_ERR_TRAILING_BYTES",
  },
]);
