// UTF-8 encoded strings (MQTT 3.1.1 section 1.5.3, MQTT 5.0 section 1.5.4): ill-formed
// sequences, surrogates and U+0000, in topics, client ids, user names and user properties.
import { hex } from "@ternmq/testkit";
import { describeErrors, type ErrorVector } from "./check-error.js";

/** A QoS 0 PUBLISH at level 4 whose 2-byte topic is `topicBytes`. */
function publishWithTopic(name: string, topicBytes: string, code: string): ErrorVector {
  return {
    name,
    level: 4,
    sender: "client",
    bytes: hex`
      30 04          // PUBLISH, QoS 0, remaining length 4
      00 02          // topic length 2
      ${topicBytes}  // topic bytes under test
    `,
    code,
    reasonCode: 0x81,
  };
}

describeErrors("MQTT_ERR_MALFORMED_UTF8", [
  {
    ...publishWithTopic(
      "[MQTT-1.5.3-1] an overlong encoding of '/' (c0 af) in a topic is malformed",
      "c0 af",
      "MQTT_ERR_MALFORMED_UTF8",
    ),
    spec: "MQTT-1.5.3-1",
  },
  publishWithTopic(
    "[MQTT-1.5.3-1] a lone continuation byte (80 61) in a topic is malformed",
    "80 61",
    "MQTT_ERR_MALFORMED_UTF8",
  ),
  publishWithTopic(
    "[MQTT-1.5.3-1] a 3-byte sequence cut short by the string end (e2 82) is malformed",
    "e2 82",
    "MQTT_ERR_MALFORMED_UTF8",
  ),
  {
    name: "[MQTT-1.5.3-1] a surrogate U+D800 (ed a0 80) in a topic is malformed",
    level: 4,
    sender: "client",
    bytes: hex`
      30 05     // PUBLISH, QoS 0, remaining length 5
      00 03     // topic length 3
      ed a0 80  // U+D800, a high surrogate
    `,
    code: "MQTT_ERR_MALFORMED_UTF8",
    spec: "MQTT-1.5.3-1",
  },
  {
    name: "[MQTT-1.5.3-1] a surrogate U+DFFF (ed bf bf) in a client id is malformed",
    level: 4,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54 04 02  // "MQTT", level 4, clean session
      00 3c                    // keep alive 60
      00 03 ed bf bf           // client id: U+DFFF, a low surrogate
    `,
    code: "MQTT_ERR_MALFORMED_UTF8",
    spec: "MQTT-1.5.3-1",
  },
  {
    name: "[MQTT-1.5.3-1] a code point above U+10FFFF (f4 90 80 80) in a subscription topic filter",
    level: 3,
    sender: "client",
    bytes: hex`
      82 09        // SUBSCRIBE, remaining length 9
      00 01        // packet id 1
      00 04        // topic filter length 4
      f4 90 80 80  // U+110000: beyond Unicode
      00           // QoS 0
    `,
    code: "MQTT_ERR_MALFORMED_UTF8",
  },
  {
    name: "[MQTT-1.5.4-1] an overlong NUL (c0 80) in a user property value at level 5",
    level: 5,
    sender: "server",
    bytes: hex`
      40 0c        // PUBACK, remaining length 12
      00 01        // packet id 1
      00           // reason code 0x00
      08           // property length 8
      26           //   0x26 user property
      00 01 61     //     name "a"
      00 02 c0 80  //     value: overlong encoding of U+0000
    `,
    code: "MQTT_ERR_MALFORMED_UTF8",
    spec: ["MQTT-1.5.4-1", "MQTT-1.5.3-1"],
  },
]);

describeErrors("MQTT_ERR_UTF8_NULL_CHARACTER", [
  {
    name: "[MQTT-1.5.3-2] U+0000 in a topic",
    level: 4,
    sender: "client",
    bytes: hex`
      30 05     // PUBLISH, QoS 0, remaining length 5
      00 03     // topic length 3
      61 00 62  // "a", U+0000, "b"
    `,
    code: "MQTT_ERR_UTF8_NULL_CHARACTER",
    spec: "MQTT-1.5.3-2",
    reasonCode: 0x81,
  },
  {
    name: "[MQTT-1.5.3-2] U+0000 in a user name",
    level: 3,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 13                    // CONNECT, remaining length 19
      00 06 4d 51 49 73 64 70  // "MQIsdp"
      03                       // level 3
      82                       // flags: user name, clean session
      00 3c                    // keep alive 60
      00 02 63 31              // client id "c1"
      00 01 00                 // user name: U+0000
    `,
    code: "MQTT_ERR_UTF8_NULL_CHARACTER",
    spec: "MQTT-1.5.3-2",
  },
  {
    name: "[MQTT-1.5.4-2] U+0000 in a reason string at level 5",
    level: 5,
    sender: "client",
    bytes: hex`
      e0 06     // DISCONNECT, remaining length 6
      00        // reason code 0x00
      04        // property length 4
      1f 00 01  //   0x1F reason string, length 1
      00        //   U+0000
    `,
    code: "MQTT_ERR_UTF8_NULL_CHARACTER",
    spec: ["MQTT-1.5.4-2", "MQTT-1.5.3-2"],
  },
]);
