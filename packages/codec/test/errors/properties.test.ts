// MQTT 5.0 properties (section 2.2.2): variable byte integers, repeats, placement and values.
import { hex } from "@ternmq/testkit";
import { describeErrors } from "./check-error.js";

describeErrors("MQTT_ERR_MALFORMED_VARIABLE_BYTE_INTEGER", [
  {
    name: "[MQTT-1.5.5-1] a property length of five bytes",
    level: 5,
    sender: "client",
    bytes: hex`
      30 0d           // PUBLISH, QoS 0, remaining length 13
      00 03 61 2f 62  // topic "a/b"
      ff ff ff ff 7f  // property length: five bytes
      00 00 00        // filler
    `,
    code: "MQTT_ERR_MALFORMED_VARIABLE_BYTE_INTEGER",
    reasonCode: 0x81,
  },
  {
    name: "[MQTT-1.5.5-1] a subscription identifier of five bytes",
    level: 5,
    sender: "client",
    bytes: hex`
      82 0d              // SUBSCRIBE, remaining length 13
      00 01              // packet id 1
      06                 // property length 6
      0b ff ff ff ff 01  //   0x0B subscription identifier: five bytes
      00 01 61 00        // topic filter "a", QoS 0
    `,
    code: "MQTT_ERR_MALFORMED_VARIABLE_BYTE_INTEGER",
  },
]);

describeErrors("MQTT_ERR_DUPLICATE_PROPERTY", [
  {
    name: "a PUBLISH with the message expiry interval twice",
    level: 5,
    sender: "client",
    bytes: hex`
      30 12           // PUBLISH, QoS 0, remaining length 18
      00 03 61 2f 62  // topic "a/b"
      0a              // property length 10
      02 00 00 00 3c  //   0x02 message expiry interval 60
      02 00 00 00 3c  //   0x02 message expiry interval 60 again
      68 69           // payload "hi"
    `,
    code: "MQTT_ERR_DUPLICATE_PROPERTY",
    reasonCode: 0x82,
  },
  {
    name: "a SUBSCRIBE with two subscription identifiers",
    level: 5,
    sender: "client",
    bytes: hex`
      82 0b        // SUBSCRIBE, remaining length 11
      00 01        // packet id 1
      04           // property length 4
      0b 01        //   0x0B subscription identifier 1
      0b 02        //   0x0B subscription identifier 2
      00 01 61 00  // topic filter "a", QoS 0
    `,
    code: "MQTT_ERR_DUPLICATE_PROPERTY",
  },
  {
    name: "a CONNECT with the receive maximum twice",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 15                    // CONNECT, remaining length 21
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      06                       // property length 6
      21 00 0a                 //   0x21 receive maximum 10
      21 00 0a                 //   0x21 receive maximum 10 again
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_DUPLICATE_PROPERTY",
  },
  {
    name: "a CONNACK with the reason string twice",
    level: 5,
    sender: "server",
    bytes: hex`
      20 0d           // CONNACK, remaining length 13
      00 00           // flags 0, success
      0a              // property length 10
      1f 00 02 6f 6b  //   0x1F reason string "ok"
      1f 00 02 6f 6b  //   0x1F reason string "ok" again
    `,
    code: "MQTT_ERR_DUPLICATE_PROPERTY",
  },
]);

describeErrors("MQTT_ERR_INVALID_PROPERTY", [
  {
    name: "an unknown property identifier 0x04 in a PUBLISH",
    level: 5,
    sender: "client",
    bytes: hex`
      30 08           // PUBLISH, QoS 0, remaining length 8
      00 03 61 2f 62  // topic "a/b"
      02              // property length 2
      04 00           //   0x04: no such property
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "maximum QoS (a CONNACK property) in a PUBLISH",
    level: 5,
    sender: "server",
    bytes: hex`
      30 08           // PUBLISH, QoS 0, remaining length 8
      00 03 61 2f 62  // topic "a/b"
      02              // property length 2
      24 01           //   0x24 maximum QoS 1: not a PUBLISH property
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "a topic alias (a PUBLISH property) in a CONNECT",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 12                    // CONNECT, remaining length 18
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      03                       // property length 3
      23 00 01                 //   0x23 topic alias 1: not a CONNECT property
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "the will delay interval among the CONNECT properties instead of the will properties",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 14                    // CONNECT, remaining length 20
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      05                       // property length 5
      18 00 00 00 0a           //   0x18 will delay interval 10: a will property
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "a session expiry interval among the will properties",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 1c                    // CONNECT, remaining length 28
      00 04 4d 51 54 54 05     // "MQTT", level 5
      06                       // flags: will QoS 0, will, clean start
      00 3c 00                 // keep alive 60, property length 0
      00 02 63 31              // client id "c1"
      05                       // will property length 5
      11 00 00 00 0a           //   0x11 session expiry interval: not a will property
      00 03 61 2f 62           // will topic "a/b"
      00 00                    // will payload: 0 bytes
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "a subscription identifier in a SUBACK",
    level: 5,
    sender: "server",
    bytes: hex`
      90 06  // SUBACK, remaining length 6
      00 01  // packet id 1
      02     // property length 2
      0b 01  //   0x0B subscription identifier 1: not a SUBACK property
      00     // granted QoS 0
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
  {
    name: "[MQTT-3.3.4-6] a subscription identifier in a PUBLISH sent by a client",
    level: 5,
    sender: "client",
    bytes: hex`
      30 0a           // PUBLISH, QoS 0, remaining length 10
      00 03 61 2f 62  // topic "a/b"
      02              // property length 2
      0b 01           //   0x0B subscription identifier 1: only a server may send it
      68 69           // payload "hi"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
    spec: "MQTT-3.3.4-6",
  },
  {
    name: "a reason string in an UNSUBSCRIBE",
    level: 5,
    sender: "client",
    bytes: hex`
      a2 0b           // UNSUBSCRIBE, remaining length 11
      00 01           // packet id 1
      05              // property length 5
      1f 00 02 6f 6b  //   0x1F reason string "ok": not an UNSUBSCRIBE property
      00 01 61        // topic filter "a"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY",
  },
]);

describeErrors("MQTT_ERR_INVALID_PROPERTY_VALUE", [
  {
    name: "authentication data without an authentication method in a CONNECT (section 3.1.2.11.10)",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 14                    // CONNECT, remaining length 20
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      05                       // property length 5
      16 00 02 01 02           //   0x16 authentication data 01 02, but no 0x15 method
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
    reasonCode: 0x82,
  },
  {
    name: "authentication data without an authentication method in a CONNACK",
    level: 5,
    sender: "server",
    bytes: hex`
      20 07           // CONNACK, remaining length 7
      00 00           // flags 0, success
      04              // property length 4
      16 00 01 ff     //   0x16 authentication data ff, but no 0x15 method
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "authentication data without an authentication method in an AUTH",
    level: 5,
    sender: "client",
    bytes: hex`
      f0 06           // AUTH, remaining length 6
      18              // reason code 0x18: continue authentication
      04              // property length 4
      16 00 01 ff     //   0x16 authentication data ff, but no 0x15 method
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a receive maximum of 0 in a CONNECT",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 12                    // CONNECT, remaining length 18
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      03                       // property length 3
      21 00 00                 //   0x21 receive maximum 0
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a payload format indicator of 2 in a PUBLISH",
    level: 5,
    sender: "client",
    bytes: hex`
      30 08           // PUBLISH, QoS 0, remaining length 8
      00 03 61 2f 62  // topic "a/b"
      02              // property length 2
      01 02           //   0x01 payload format indicator 2
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a subscription identifier of 0 in a SUBSCRIBE",
    level: 5,
    sender: "client",
    bytes: hex`
      82 09        // SUBSCRIBE, remaining length 9
      00 01        // packet id 1
      02           // property length 2
      0b 00        //   0x0B subscription identifier 0
      00 01 61 00  // topic filter "a", QoS 0
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a maximum QoS of 2 in a CONNACK",
    level: 5,
    sender: "server",
    bytes: hex`
      20 05  // CONNACK, remaining length 5
      00 00  // flags 0, success
      02     // property length 2
      24 02  //   0x24 maximum QoS 2
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a request problem information byte of 2 in a CONNECT",
    level: 5,
    sender: "client",
    firstPacket: true,
    bytes: hex`
      10 11                    // CONNECT, remaining length 17
      00 04 4d 51 54 54 05 02  // "MQTT", level 5, clean start
      00 3c                    // keep alive 60
      02                       // property length 2
      17 02                    //   0x17 request problem information 2
      00 02 63 31              // client id "c1"
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a retain available byte of 2 in a CONNACK",
    level: 5,
    sender: "server",
    bytes: hex`
      20 05  // CONNACK, remaining length 5
      00 00  // flags 0, success
      02     // property length 2
      25 02  //   0x25 retain available 2
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a topic alias of 0 in a PUBLISH",
    level: 5,
    sender: "server",
    bytes: hex`
      30 09           // PUBLISH, QoS 0, remaining length 9
      00 03 61 2f 62  // topic "a/b"
      03              // property length 3
      23 00 00        //   0x23 topic alias 0
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
  {
    name: "a maximum packet size of 0 in a CONNACK",
    level: 5,
    sender: "server",
    bytes: hex`
      20 08           // CONNACK, remaining length 8
      00 00           // flags 0, success
      05              // property length 5
      27 00 00 00 00  //   0x27 maximum packet size 0
    `,
    code: "MQTT_ERR_INVALID_PROPERTY_VALUE",
  },
]);
