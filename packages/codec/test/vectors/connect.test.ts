// CONNECT (MQTT 3.1 section 3.1, MQTT 3.1.1 section 3.1, MQTT 5.0 section 3.1).
import { hex } from "@ternmq/testkit";
import { describeVectors, utf8 } from "./check-vector.js";

describeVectors("CONNECT", [
  {
    name: "[MQTT-3.1.2-1] CONNECT at level 3 carries protocol name MQIsdp",
    level: 3,
    sender: "client",
    bytes: hex`
      10 10                    // CONNECT, remaining length 16
      00 06 4d 51 49 73 64 70  // protocol name "MQIsdp"
      03                       // protocol level 3
      02                       // connect flags: clean session
      00 1e                    // keep alive 30 s
      00 02 63 31              // client id "c1"
    `,
    packet: { type: "connect", protocolVersion: 3, clientId: "c1", clean: true, keepalive: 30 },
  },
  {
    name: "[MQTT-3.1.3-1] CONNECT at level 3 with will, user name and password in payload order",
    level: 3,
    sender: "client",
    bytes: hex`
      10 24                    // CONNECT, remaining length 36
      00 06 4d 51 49 73 64 70  // protocol name "MQIsdp"
      03                       // protocol level 3
      c6                       // flags: user name, password, will QoS 0, will, clean session
      00 3c                    // keep alive 60 s
      00 02 63 31              // client id "c1"
      00 03 61 2f 62           // will topic "a/b"
      00 03 62 79 65           // will message "bye"
      00 04 75 73 65 72        // user name "user"
      00 02 70 77              // password "pw"
    `,
    packet: {
      type: "connect",
      protocolVersion: 3,
      clientId: "c1",
      clean: true,
      keepalive: 60,
      username: "user",
      password: utf8("pw"),
      will: { topic: "a/b", payload: utf8("bye"), qos: 0, retain: false },
    },
  },
  {
    name: "[MQTT-3.1.2-1] CONNECT at level 4 carries protocol name MQTT",
    level: 4,
    sender: "client",
    bytes: hex`
      10 14                    // CONNECT, remaining length 20
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      02                       // connect flags: clean session
      00 3c                    // keep alive 60 s
      00 08 63 6c 69 65 6e 74 2d 31  // client id "client-1"
    `,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "client-1",
      clean: true,
      keepalive: 60,
    },
  },
  {
    name: "[MQTT-3.1.3-6] CONNECT at level 4 with a zero-length client id and keep alive 0",
    level: 4,
    sender: "client",
    bytes: hex`
      10 0c                    // CONNECT, remaining length 12
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      02                       // connect flags: clean session
      00 00                    // keep alive 0: disabled
      00 00                    // client id ""
    `,
    packet: { type: "connect", protocolVersion: 4, clientId: "", clean: true, keepalive: 0 },
  },
  {
    name: "[MQTT-3.1.2-14] CONNECT at level 4 with a retained QoS 1 will, user name and password",
    level: 4,
    sender: "client",
    bytes: hex`
      10 25                    // CONNECT, remaining length 37
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      ee                       // flags: user name, password, will retain, will QoS 1, will, clean
      ff ff                    // keep alive 65535 s
      00 02 63 31              // client id "c1"
      00 06 77 69 6c 6c 2f 74  // will topic "will/t"
      00 03 62 79 65           // will message "bye"
      00 04 75 73 65 72        // user name "user"
      00 02 70 77              // password "pw"
    `,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c1",
      clean: true,
      keepalive: 65535,
      username: "user",
      password: utf8("pw"),
      will: { topic: "will/t", payload: utf8("bye"), qos: 1, retain: true },
    },
  },
  {
    name: "[MQTT-3.1.2-19] CONNECT at level 4 with a QoS 2 will, an empty will message and a user name",
    level: 4,
    sender: "client",
    bytes: hex`
      10 1b                    // CONNECT, remaining length 27
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      94                       // flags: user name, will QoS 2, will; clean session 0
      00 0a                    // keep alive 10 s
      00 02 63 31              // client id "c1"
      00 03 61 2f 62           // will topic "a/b"
      00 00                    // will message: 0 bytes
      00 04 75 73 65 72        // user name "user"
    `,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c1",
      clean: false,
      keepalive: 10,
      username: "user",
      will: { topic: "a/b", payload: new Uint8Array(0), qos: 2, retain: false },
    },
  },
  {
    name: "[MQTT-3.1.2-1] CONNECT at level 5 with an empty property section",
    level: 5,
    sender: "client",
    bytes: hex`
      10 0f                    // CONNECT, remaining length 15
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol level 5
      02                       // connect flags: clean start
      00 3c                    // keep alive 60 s
      00                       // property length 0
      00 02 63 31              // client id "c1"
    `,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "c1",
      clean: true,
      keepalive: 60,
      properties: {},
    },
  },
  {
    name: "CONNECT at level 5 with every CONNECT property, every will property and duplicate user properties in order",
    level: 5,
    sender: "client",
    bytes: hex`
      10 79                    // CONNECT, remaining length 121
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol level 5
      f6                       // flags: user name, password, will retain, will QoS 2, will, clean
      00 3c                    // keep alive 60 s
      2d                       // property length 45
      11 00 00 00 78           //   0x11 session expiry interval 120 s
      15 00 03 74 6f 6b        //   0x15 authentication method "tok"
      16 00 02 01 02           //   0x16 authentication data 01 02
      17 00                    //   0x17 request problem information 0
      19 01                    //   0x19 request response information 1
      21 00 0a                 //   0x21 receive maximum 10
      22 00 05                 //   0x22 topic alias maximum 5
      26 00 01 61 00 01 31     //   0x26 user property "a" = "1"
      26 00 01 61 00 01 32     //   0x26 user property "a" = "2" (same name, kept in order)
      27 00 00 10 00           //   0x27 maximum packet size 4096
      00 02 63 31              // client id "c1"
      25                       // will property length 37
      01 01                    //   0x01 payload format indicator 1 (UTF-8)
      02 00 00 01 2c           //   0x02 message expiry interval 300 s
      03 00 04 74 65 78 74     //   0x03 content type "text"
      08 00 03 72 2f 74        //   0x08 response topic "r/t"
      09 00 02 ca fe           //   0x09 correlation data ca fe
      18 00 00 00 0a           //   0x18 will delay interval 10 s
      26 00 01 6b 00 01 76     //   0x26 user property "k" = "v"
      00 06 77 69 6c 6c 2f 74  // will topic "will/t"
      00 03 62 79 65           // will payload "bye"
      00 04 75 73 65 72        // user name "user"
      00 02 70 77              // password "pw"
    `,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "c1",
      clean: true,
      keepalive: 60,
      username: "user",
      password: utf8("pw"),
      will: {
        topic: "will/t",
        payload: utf8("bye"),
        qos: 2,
        retain: true,
        properties: {
          payloadFormatIndicator: 1,
          messageExpiryInterval: 300,
          contentType: "text",
          responseTopic: "r/t",
          correlationData: hex`ca fe`,
          willDelayInterval: 10,
          userProperties: [["k", "v"]],
        },
      },
      properties: {
        sessionExpiryInterval: 120,
        authenticationMethod: "tok",
        authenticationData: hex`01 02`,
        requestProblemInformation: false,
        requestResponseInformation: true,
        receiveMaximum: 10,
        topicAliasMaximum: 5,
        userProperties: [
          ["a", "1"],
          ["a", "2"],
        ],
        maximumPacketSize: 4096,
      },
    },
  },
  {
    name: "CONNECT at level 5 may carry a password without a user name",
    level: 5,
    sender: "client",
    bytes: hex`
      10 13                    // CONNECT, remaining length 19
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol level 5
      42                       // connect flags: password, clean start
      00 3c                    // keep alive 60 s
      00                       // property length 0
      00 02 63 31              // client id "c1"
      00 02 70 77              // password "pw"
    `,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "c1",
      clean: true,
      keepalive: 60,
      password: utf8("pw"),
      properties: {},
    },
  },
  {
    name: "CONNECT at level 5 with a will whose property section is empty",
    level: 5,
    sender: "client",
    bytes: hex`
      10 19                    // CONNECT, remaining length 25
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol level 5
      0c                       // connect flags: will QoS 1, will; clean start 0
      00 3c                    // keep alive 60 s
      00                       // property length 0
      00 02 63 31              // client id "c1"
      00                       // will property length 0
      00 03 61 2f 62           // will topic "a/b"
      00 02 68 69              // will payload "hi"
    `,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "c1",
      clean: false,
      keepalive: 60,
      will: { topic: "a/b", payload: utf8("hi"), qos: 1, retain: false, properties: {} },
      properties: {},
    },
  },
]);
