// PUBLISH QoS/DUP rules, packet identifiers, and SUBSCRIBE / UNSUBSCRIBE payload rules.
import { hex } from "@ternmq/testkit";
import { describeErrors, type ErrorVector } from "./check-error.js";

describeErrors("MQTT_ERR_INVALID_QOS", [
  {
    name: "[MQTT-3.3.1-4] a PUBLISH with both QoS bits set",
    level: 4,
    sender: "client",
    bytes: hex`
      36 09           // PUBLISH, QoS bits 11, remaining length 9
      00 03 61 2f 62  // topic "a/b"
      00 01           // packet id 1
      68 69           // payload "hi"
    `,
    code: "MQTT_ERR_INVALID_QOS",
    spec: "MQTT-3.3.1-4",
    reasonCode: 0x81,
  },
  {
    name: "[MQTT-3.3.1-4] a PUBLISH with both QoS bits set, received by a client at level 5",
    level: 5,
    sender: "server",
    bytes: hex`
      37 07           // PUBLISH, QoS bits 11, RETAIN, remaining length 7
      00 03 61 2f 62  // topic "a/b"
      00 01           // packet id 1 (the QoS is refused before the body)
    `,
    code: "MQTT_ERR_INVALID_QOS",
    spec: "MQTT-3.3.1-4",
  },
  {
    name: "[MQTT-3.8.3-4] a subscription requesting QoS 3",
    level: 4,
    sender: "client",
    bytes: hex`
      82 06     // SUBSCRIBE, remaining length 6
      00 01     // packet id 1
      00 01 61  // topic filter "a"
      03        // requested QoS 3
    `,
    code: "MQTT_ERR_INVALID_QOS",
    spec: ["MQTT-3.8.3-4", "MQTT-3-8.3-4"],
  },
  {
    name: "a subscription requesting QoS 3 at level 5",
    level: 5,
    sender: "client",
    bytes: hex`
      82 07     // SUBSCRIBE, remaining length 7
      00 01     // packet id 1
      00        // property length 0
      00 01 61  // topic filter "a"
      03        // options: QoS 3
    `,
    code: "MQTT_ERR_INVALID_QOS",
  },
]);

describeErrors("MQTT_ERR_INVALID_DUP", [
  {
    name: "[MQTT-3.3.1-2] DUP set on a QoS 0 PUBLISH",
    level: 4,
    sender: "client",
    bytes: hex`
      38 07           // PUBLISH, DUP 1, QoS 0, remaining length 7
      00 03 61 2f 62  // topic "a/b"
      68 69           // payload "hi"
    `,
    code: "MQTT_ERR_INVALID_DUP",
    spec: "MQTT-3.3.1-2",
  },
  {
    name: "[MQTT-3.3.1-2] DUP set on a QoS 0 PUBLISH at level 5",
    level: 5,
    sender: "server",
    bytes: hex`
      39 06           // PUBLISH, DUP 1, QoS 0, RETAIN 1, remaining length 6
      00 03 61 2f 62  // topic "a/b"
      00              // property length 0
    `,
    code: "MQTT_ERR_INVALID_DUP",
    spec: "MQTT-3.3.1-2",
  },
]);

/** Packet identifier 0 in every packet that carries one. */
const zeroIdentifiers: readonly [string, "client" | "server", Uint8Array][] = [
  ["a QoS 1 PUBLISH", "client", hex`32 07  00 03 61 2f 62  00 00  // PUBLISH QoS 1, "a/b", id 0`],
  ["a QoS 2 PUBLISH", "server", hex`34 07  00 03 61 2f 62  00 00  // PUBLISH QoS 2, "a/b", id 0`],
  ["a PUBACK", "client", hex`40 02  00 00  // PUBACK, id 0`],
  ["a PUBREC", "server", hex`50 02  00 00  // PUBREC, id 0`],
  ["a PUBREL", "client", hex`62 02  00 00  // PUBREL, id 0`],
  ["a PUBCOMP", "server", hex`70 02  00 00  // PUBCOMP, id 0`],
  ["a SUBSCRIBE", "client", hex`82 06  00 00  00 01 61  00  // SUBSCRIBE, id 0, "a" QoS 0`],
  ["a SUBACK", "server", hex`90 03  00 00  00  // SUBACK, id 0, granted QoS 0`],
  ["an UNSUBSCRIBE", "client", hex`a2 05  00 00  00 01 61  // UNSUBSCRIBE, id 0, "a"`],
  ["an UNSUBACK", "server", hex`b0 02  00 00  // UNSUBACK, id 0`],
];

describeErrors(
  "MQTT_ERR_PACKET_ID_ZERO",
  zeroIdentifiers.flatMap(([what, sender, bytes]) =>
    ([3, 4] as const).map(
      (level): ErrorVector => ({
        name: `[MQTT-2.3.1-1] packet identifier 0 in ${what}`,
        level,
        sender,
        bytes,
        code: "MQTT_ERR_PACKET_ID_ZERO",
        spec: "MQTT-2.3.1-1",
      }),
    ),
  ),
);

describeErrors("MQTT_ERR_PACKET_ID_ZERO at level 5", [
  {
    name: "[MQTT-2.2.1-3] packet identifier 0 in a QoS 1 PUBLISH at level 5",
    level: 5,
    sender: "client",
    bytes: hex`
      32 08           // PUBLISH, QoS 1, remaining length 8
      00 03 61 2f 62  // topic "a/b"
      00 00           // packet id 0
      00              // property length 0
    `,
    code: "MQTT_ERR_PACKET_ID_ZERO",
  },
  {
    name: "packet identifier 0 in a PUBACK at level 5 (short form)",
    level: 5,
    sender: "server",
    bytes: hex`40 02 00 00  // PUBACK, id 0`,
    code: "MQTT_ERR_PACKET_ID_ZERO",
  },
]);

describeErrors("MQTT_ERR_EMPTY_SUBSCRIBE", [
  {
    name: "[MQTT-3.8.3-3] a SUBSCRIBE without any topic filter",
    level: 4,
    sender: "client",
    bytes: hex`82 02 00 01  // SUBSCRIBE, packet id 1, no payload`,
    code: "MQTT_ERR_EMPTY_SUBSCRIBE",
    spec: "MQTT-3.8.3-3",
  },
  {
    name: "[MQTT-3.8.3-2] a SUBSCRIBE without any topic filter at level 5",
    level: 5,
    sender: "client",
    bytes: hex`82 03 00 01 00  // SUBSCRIBE, packet id 1, property length 0, no payload`,
    code: "MQTT_ERR_EMPTY_SUBSCRIBE",
    spec: ["MQTT-3.8.3-3", "MQTT-3.8.3-2"],
  },
]);

describeErrors("MQTT_ERR_EMPTY_UNSUBSCRIBE", [
  {
    name: "[MQTT-3.10.3-2] an UNSUBSCRIBE without any topic filter",
    level: 3,
    sender: "client",
    bytes: hex`a2 02 00 01  // UNSUBSCRIBE, packet id 1, no payload`,
    code: "MQTT_ERR_EMPTY_UNSUBSCRIBE",
    spec: "MQTT-3.10.3-2",
  },
  {
    name: "[MQTT-3.10.3-2] an UNSUBSCRIBE without any topic filter at level 5",
    level: 5,
    sender: "client",
    bytes: hex`a2 03 00 01 00  // UNSUBSCRIBE, packet id 1, property length 0, no payload`,
    code: "MQTT_ERR_EMPTY_UNSUBSCRIBE",
    spec: "MQTT-3.10.3-2",
  },
]);

describeErrors("MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED", [
  {
    name: "[MQTT-3.8.3-4] a reserved bit (bit 2) of the requested QoS byte at level 4",
    level: 4,
    sender: "client",
    bytes: hex`
      82 06     // SUBSCRIBE, remaining length 6
      00 01     // packet id 1
      00 01 61  // topic filter "a"
      05        // 0000 0101: reserved bit 2 set, QoS 1
    `,
    code: "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
    spec: ["MQTT-3.8.3-4", "MQTT-3-8.3-4"],
  },
  {
    name: "[MQTT-3.8.3-4] the top reserved bit (bit 7) of the requested QoS byte at level 3",
    level: 3,
    sender: "client",
    bytes: hex`
      82 06     // SUBSCRIBE, remaining length 6
      00 01     // packet id 1
      00 01 61  // topic filter "a"
      80        // 1000 0000: reserved bit 7 set, QoS 0
    `,
    code: "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
  },
  {
    name: "[MQTT-3.8.3-5] a reserved bit (bit 6) of the subscription options at level 5",
    level: 5,
    sender: "client",
    bytes: hex`
      82 07     // SUBSCRIBE, remaining length 7
      00 01     // packet id 1
      00        // property length 0
      00 01 61  // topic filter "a"
      41        // 0100 0001: reserved bit 6 set, QoS 1
    `,
    code: "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
    spec: ["MQTT-3.8.3-5", "MQTT-3.8.3-4"],
  },
  {
    name: "retain handling 3 in the subscription options at level 5",
    level: 5,
    sender: "client",
    bytes: hex`
      82 07     // SUBSCRIBE, remaining length 7
      00 01     // packet id 1
      00        // property length 0
      00 01 61  // topic filter "a"
      30        // 0011 0000: retain handling 3, QoS 0
    `,
    code: "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
  },
]);
