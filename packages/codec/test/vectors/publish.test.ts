// PUBLISH (MQTT 3.1 section 3.3, MQTT 3.1.1 section 3.3, MQTT 5.0 section 3.3).
import { hex } from "@ternmq/testkit";
import { describeVectors, utf8 } from "./check-vector.js";

describeVectors("PUBLISH", [
  {
    name: "PUBLISH at level 3, QoS 1 with its packet identifier",
    level: 3,
    sender: "client",
    bytes: hex`
      32 09           // PUBLISH, DUP 0, QoS 1, RETAIN 0; remaining length 9
      00 03 61 2f 62  // topic name "a/b"
      00 0a           // packet identifier 10
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 10,
    },
  },
  {
    name: "PUBLISH at level 3, QoS 0 sent by the server",
    level: 3,
    sender: "server",
    bytes: hex`
      30 07           // PUBLISH, DUP 0, QoS 0, RETAIN 0; remaining length 7
      00 03 61 2f 62  // topic name "a/b"
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "[MQTT-2.3.1-5] PUBLISH at level 4, QoS 0 has no packet identifier",
    level: 4,
    sender: "client",
    bytes: hex`
      30 07           // PUBLISH, DUP 0, QoS 0, RETAIN 0; remaining length 7
      00 03 61 2f 62  // topic name "a/b"
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "[MQTT-3.3.1-5] PUBLISH at level 4, QoS 1 with RETAIN",
    level: 4,
    sender: "client",
    bytes: hex`
      33 09           // PUBLISH, DUP 0, QoS 1, RETAIN 1; remaining length 9
      00 03 61 2f 62  // topic name "a/b"
      00 0a           // packet identifier 10
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 1,
      retain: true,
      dup: false,
      packetId: 10,
    },
  },
  {
    name: "[MQTT-3.3.1-1] PUBLISH at level 4, QoS 2 redelivery with DUP and packet identifier 65535",
    level: 4,
    sender: "server",
    bytes: hex`
      3c 09           // PUBLISH, DUP 1, QoS 2, RETAIN 0; remaining length 9
      00 03 61 2f 62  // topic name "a/b"
      ff ff           // packet identifier 65535
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 2,
      retain: false,
      dup: true,
      packetId: 65535,
    },
  },
  {
    name: "PUBLISH at level 4 with a zero-length payload",
    level: 4,
    sender: "client",
    bytes: hex`
      30 05           // PUBLISH, QoS 0; remaining length 5
      00 03 61 2f 62  // topic name "a/b"
                      // payload: 0 bytes
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: new Uint8Array(0),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "PUBLISH at level 4 with a topic of 2- and 4-byte UTF-8 characters (section 1.5.3)",
    level: 4,
    sender: "client",
    bytes: hex`
      30 0a                       // PUBLISH, QoS 0; remaining length 10
      00 07 c3 bc 2f f0 9d 84 9e  // topic name "ü/𝄞" (U+00FC, "/", U+1D11E)
      68                          // payload "h"
    `,
    packet: {
      type: "publish",
      topic: "ü/𝄞",
      payload: utf8("h"),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "[MQTT-1.5.3-3] PUBLISH at level 4 keeps a leading U+FEFF in the topic",
    level: 4,
    sender: "client",
    bytes: hex`
      30 07              // PUBLISH, QoS 0; remaining length 7
      00 04 ef bb bf 61  // topic name "\uFEFFa": the BOM is not stripped
      68                 // payload "h"
    `,
    packet: {
      type: "publish",
      topic: "\uFEFFa",
      payload: utf8("h"),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "PUBLISH at level 4 with a two-byte remaining length (205, section 2.2.3)",
    level: 4,
    sender: "client",
    bytes: hex`
      30 cd 01        // PUBLISH, QoS 0; remaining length 205 = 0x4d + 0x01 * 128
      00 03 61 2f 62  // topic name "a/b"
      ${"00 ".repeat(200)}  // payload: 200 zero bytes
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: new Uint8Array(200),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: "PUBLISH at level 5, QoS 0 with an empty property section",
    level: 5,
    sender: "client",
    bytes: hex`
      30 08           // PUBLISH, QoS 0; remaining length 8
      00 03 61 2f 62  // topic name "a/b"
      00              // property length 0
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
      properties: {},
    },
  },
  {
    name: "PUBLISH at level 5, QoS 1 with every PUBLISH property, two subscription identifiers and duplicate user properties",
    level: 5,
    sender: "server",
    bytes: hex`
      32 3c                 // PUBLISH, DUP 0, QoS 1, RETAIN 0; remaining length 60
      00 03 61 2f 62        // topic name "a/b"
      00 07                 // packet identifier 7
      32                    // property length 50
      01 00                 //   0x01 payload format indicator 0 (bytes)
      02 00 00 00 3c        //   0x02 message expiry interval 60 s
      03 00 04 6a 73 6f 6e  //   0x03 content type "json"
      08 00 03 72 2f 74     //   0x08 response topic "r/t"
      09 00 03 01 02 03     //   0x09 correlation data 01 02 03
      0b 01                 //   0x0B subscription identifier 1
      0b ff ff ff 7f        //   0x0B subscription identifier 268435455 (4-byte varint)
      23 00 07              //   0x23 topic alias 7
      26 00 01 61 00 01 31  //   0x26 user property "a" = "1"
      26 00 01 61 00 01 32  //   0x26 user property "a" = "2"
      68 69                 // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 7,
      properties: {
        payloadFormatIndicator: 0,
        messageExpiryInterval: 60,
        contentType: "json",
        responseTopic: "r/t",
        correlationData: hex`01 02 03`,
        subscriptionIdentifiers: [1, 268435455],
        topicAlias: 7,
        userProperties: [
          ["a", "1"],
          ["a", "2"],
        ],
      },
    },
  },
  {
    name: "PUBLISH at level 5 with a zero-length topic and a topic alias",
    level: 5,
    sender: "client",
    bytes: hex`
      30 08     // PUBLISH, QoS 0; remaining length 8
      00 00     // topic name "" (the alias stands for it)
      03        // property length 3
      23 00 01  //   0x23 topic alias 1
      68 69     // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 1 },
    },
  },
  {
    name: "PUBLISH at level 5 with a two-byte property length (136, section 1.5.5)",
    level: 5,
    sender: "client",
    bytes: hex`
      30 91 01        // PUBLISH, QoS 0; remaining length 145 = 0x11 + 0x01 * 128
      00 03 61 2f 62  // topic name "a/b"
      88 01           // property length 136 = 0x08 + 0x01 * 128
      26              //   0x26 user property
      00 01 6b        //     name "k"
      00 82           //     value: 130 bytes
      ${"76 ".repeat(130)}  //     "vvv…v"
      68 69           // payload "hi"
    `,
    packet: {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
      properties: { userProperties: [["k", "v".repeat(130)]] },
    },
  },
]);
