// Stream rules: the first packet a server receives, and packets sent in the wrong direction.
import { hex } from "@ternmq/testkit";
import { describeErrors, type ErrorVector } from "./check-error.js";

describeErrors("MQTT_ERR_CONNECT_EXPECTED", [
  {
    name: "[MQTT-3.1.0-1] a PUBLISH before any CONNECT",
    level: 4,
    sender: "client",
    firstPacket: true,
    streamOnly: true,
    bytes: hex`
      30 07           // PUBLISH, QoS 0, remaining length 7
      00 03 61 2f 62  // topic "a/b"
      68 69           // payload "hi"
    `,
    code: "MQTT_ERR_CONNECT_EXPECTED",
    spec: "MQTT-3.1.0-1",
  },
  {
    name: "[MQTT-3.1.0-1] a PINGREQ before any CONNECT",
    level: 5,
    sender: "client",
    firstPacket: true,
    streamOnly: true,
    bytes: hex`c0 00  // PINGREQ`,
    code: "MQTT_ERR_CONNECT_EXPECTED",
    spec: "MQTT-3.1.0-1",
  },
  {
    name: "[MQTT-3.1.0-1] a DISCONNECT before any CONNECT",
    level: 3,
    sender: "client",
    firstPacket: true,
    streamOnly: true,
    bytes: hex`e0 00  // DISCONNECT`,
    code: "MQTT_ERR_CONNECT_EXPECTED",
    spec: "MQTT-3.1.0-1",
  },
]);

describeErrors("MQTT_ERR_UNEXPECTED_PACKET_TYPE (second CONNECT)", [
  {
    name: "[MQTT-3.1.0-2] a second CONNECT on the connection",
    level: 4,
    sender: "client",
    streamOnly: true,
    bytes: hex`10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31  // CONNECT "MQTT" 4, "c1"`,
    code: "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
    spec: "MQTT-3.1.0-2",
  },
]);

/** Packets only a server sends, received by a server; and packets only a client sends. */
const wrongDirection: readonly [string, "client" | "server", Uint8Array][] = [
  ["a CONNACK sent by a client", "client", hex`20 02 00 00  // CONNACK, accepted`],
  ["a SUBACK sent by a client", "client", hex`90 03 00 01 00  // SUBACK, id 1, QoS 0`],
  ["an UNSUBACK sent by a client", "client", hex`b0 02 00 01  // UNSUBACK, id 1`],
  ["a PINGRESP sent by a client", "client", hex`d0 00  // PINGRESP`],
  [
    "a CONNECT sent by a server",
    "server",
    hex`10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31  // CONNECT "MQTT" 4, "c1"`,
  ],
  ["a SUBSCRIBE sent by a server", "server", hex`82 06 00 01 00 01 61 00  // SUBSCRIBE "a"`],
  ["an UNSUBSCRIBE sent by a server", "server", hex`a2 05 00 01 00 01 61  // UNSUBSCRIBE "a"`],
  ["a PINGREQ sent by a server", "server", hex`c0 00  // PINGREQ`],
];

describeErrors(
  "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
  wrongDirection.map(
    ([what, sender, bytes]): ErrorVector => ({
      name: what,
      level: 4,
      sender,
      bytes,
      code: "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
    }),
  ),
);

describeErrors("MQTT_ERR_UNEXPECTED_PACKET_TYPE at levels 3 and 5", [
  {
    name: "a CONNACK sent by a client at level 3",
    level: 3,
    sender: "client",
    bytes: hex`20 02 00 00  // CONNACK, accepted`,
    code: "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
  },
  {
    name: "a SUBSCRIBE sent by a server at level 5",
    level: 5,
    sender: "server",
    bytes: hex`82 07 00 01 00 00 01 61 00  // SUBSCRIBE id 1, no properties, "a" QoS 0`,
    code: "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
  },
]);
