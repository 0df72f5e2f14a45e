// CONNECT variable header and payload rules (section 3.1 of MQTT 3.1, 3.1.1 and 5.0).
import { hex } from "@ternmq/testkit";
import { describeErrors, type ErrorVector } from "./check-error.js";

/** Every vector here is the first packet a server receives. */
function connect(vector: Omit<ErrorVector, "sender" | "firstPacket">): ErrorVector {
  return { ...vector, sender: "client", firstPacket: true };
}

describeErrors("MQTT_ERR_INVALID_PROTOCOL_NAME", [
  connect({
    name: "[MQTT-3.1.2-1] protocol name MQTX is not MQTT",
    level: 4,
    bytes: hex`
      10 0e                    // CONNECT, remaining length 14
      00 04 4d 51 54 58        // protocol name "MQTX"
      04 02 00 3c              // level 4, clean session, keep alive 60
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROTOCOL_NAME",
    spec: "MQTT-3.1.2-1",
  }),
  connect({
    name: "[MQTT-3.1.2-1] protocol name in lower case (mqtt) at level 5",
    level: 5,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 6d 71 74 74        // protocol name "mqtt"
      05 02 00 3c 00           // level 5, clean start, keep alive 60, no properties
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROTOCOL_NAME",
    spec: "MQTT-3.1.2-1",
  }),
]);

describeErrors("MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION", [
  connect({
    name: "[MQTT-3.1.2-2] protocol name MQTT with level 3 (3.1 uses MQIsdp) is an unsupported level",
    level: 3,
    bytes: hex`
      10 0e                    // CONNECT, remaining length 14
      00 04 4d 51 54 54        // protocol name "MQTT"
      03 02 00 3c              // level 3, clean session, keep alive 60
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION",
    spec: "MQTT-3.1.2-2",
    connackReturnCode: 1,
    reasonCode: 0x84,
  }),
  connect({
    name: "[MQTT-3.1.2-2] protocol name MQIsdp with level 4 is an unsupported level",
    level: 4,
    bytes: hex`
      10 10                    // CONNECT, remaining length 16
      00 06 4d 51 49 73 64 70  // protocol name "MQIsdp"
      04 02 00 3c              // level 4, clean session, keep alive 60
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION",
    spec: "MQTT-3.1.2-2",
    connackReturnCode: 1,
    reasonCode: 0x84,
  }),
  connect({
    name: "[MQTT-3.1.2-2] protocol level 6 is answered with CONNACK 1 / reason code 0x84",
    level: 5,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54        // protocol name "MQTT"
      06                       // protocol level 6: unknown
      02 00 3c 00              // clean, keep alive 60, (a property length, were it 5.0)
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION",
    spec: "MQTT-3.1.2-2",
    connackReturnCode: 1,
    reasonCode: 0x84,
  }),
  connect({
    name: "[MQTT-3.1.2-2] protocol level 0 is answered with CONNACK 1 / reason code 0x84",
    level: 4,
    bytes: hex`
      10 0e                    // CONNECT, remaining length 14
      00 04 4d 51 54 54        // protocol name "MQTT"
      00                       // protocol level 0
      02 00 3c                 // clean session, keep alive 60
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION",
    spec: "MQTT-3.1.2-2",
    connackReturnCode: 1,
    reasonCode: 0x84,
  }),
]);

describeErrors("MQTT_ERR_CONNECT_RESERVED_FLAG", [
  connect({
    name: "[MQTT-3.1.2-3] the reserved connect flag (bit 0) set at level 4",
    level: 4,
    bytes: hex`
      10 0e                    // CONNECT, remaining length 14
      00 04 4d 51 54 54 04     // "MQTT", level 4
      03                       // flags: clean session, reserved bit 0 set
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
    `,
    code: "MQTT_ERR_CONNECT_RESERVED_FLAG",
    spec: "MQTT-3.1.2-3",
  }),
  connect({
    name: "[MQTT-3.1.2-3] the reserved connect flag (bit 0) set at level 5",
    level: 5,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54 05     // "MQTT", level 5
      01                       // flags: reserved bit 0 set
      00 3c 00                 // keep alive 60, no properties
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_CONNECT_RESERVED_FLAG",
    spec: "MQTT-3.1.2-3",
  }),
]);

describeErrors("MQTT_ERR_INVALID_QOS (will)", [
  connect({
    name: "[MQTT-3.1.2-14] a will QoS of 3",
    level: 4,
    bytes: hex`
      10 17                    // CONNECT, remaining length 23
      00 04 4d 51 54 54 04     // "MQTT", level 4
      1e                       // flags: will QoS 3, will, clean session
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
      00 03 61 2f 62           // will topic "a/b"
      00 02 68 69              // will message "hi"
    `,
    code: "MQTT_ERR_INVALID_QOS",
    spec: "MQTT-3.1.2-14",
  }),
]);

describeErrors("MQTT_ERR_INVALID_WILL_FLAGS", [
  connect({
    name: "[MQTT-3.1.2-13] a will QoS of 1 without the will flag",
    level: 4,
    bytes: hex`
      10 0e                    // CONNECT, remaining length 14
      00 04 4d 51 54 54 04     // "MQTT", level 4
      0a                       // flags: will QoS 1, clean session; will flag 0
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
    `,
    code: "MQTT_ERR_INVALID_WILL_FLAGS",
    spec: ["MQTT-3.1.2-11", "MQTT-3.1.2-13"],
  }),
  connect({
    name: "[MQTT-3.1.2-15] will retain without the will flag",
    level: 3,
    bytes: hex`
      10 10                    // CONNECT, remaining length 16
      00 06 4d 51 49 73 64 70  // "MQIsdp"
      03                       // level 3
      22                       // flags: will retain, clean session; will flag 0
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
    `,
    code: "MQTT_ERR_INVALID_WILL_FLAGS",
    spec: ["MQTT-3.1.2-11", "MQTT-3.1.2-15"],
  }),
  connect({
    name: "[MQTT-3.1.2-11] a will QoS of 2 without the will flag at level 5",
    level: 5,
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54 05     // "MQTT", level 5
      12                       // flags: will QoS 2, clean start; will flag 0
      00 3c 00                 // keep alive 60, no properties
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_WILL_FLAGS",
    spec: ["MQTT-3.1.2-11", "MQTT-3.1.2-13"],
  }),
]);

describeErrors("MQTT_ERR_PASSWORD_WITHOUT_USERNAME", [
  connect({
    name: "[MQTT-3.1.2-22] a password without a user name at level 4",
    level: 4,
    bytes: hex`
      10 12                    // CONNECT, remaining length 18
      00 04 4d 51 54 54 04     // "MQTT", level 4
      42                       // flags: password, clean session; user name 0
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
      00 02 70 77              // password "pw"
    `,
    code: "MQTT_ERR_PASSWORD_WITHOUT_USERNAME",
    spec: "MQTT-3.1.2-22",
  }),
  connect({
    name: "[MQTT-3.1.2-22] a password without a user name at level 3",
    level: 3,
    bytes: hex`
      10 14                    // CONNECT, remaining length 20
      00 06 4d 51 49 73 64 70  // "MQIsdp"
      03                       // level 3
      42                       // flags: password, clean session; user name 0
      00 3c 00 02 63 31        // keep alive 60, client id "c1"
      00 02 70 77              // password "pw"
    `,
    code: "MQTT_ERR_PASSWORD_WITHOUT_USERNAME",
    spec: "MQTT-3.1.2-22",
  }),
]);
