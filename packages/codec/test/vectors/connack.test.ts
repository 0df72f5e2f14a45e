// CONNACK (MQTT 3.1 section 3.2, MQTT 3.1.1 section 3.2, MQTT 5.0 section 3.2).
import { hex } from "@ternmq/testkit";
import { describeVectors } from "./check-vector.js";

describeVectors("CONNACK", [
  {
    name: "CONNACK at level 3 accepting the connection",
    level: 3,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      00     // reserved byte (3.1 has no session present flag)
      00     // return code 0: connection accepted
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0 },
  },
  {
    name: "CONNACK at level 3 refusing the identifier",
    level: 3,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      00     // reserved byte
      02     // return code 2: identifier rejected
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 2 },
  },
  {
    name: "[MQTT-3.2.2-1] CONNACK at level 4 without a session present",
    level: 4,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      00     // acknowledge flags: session present 0
      00     // return code 0: connection accepted
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0 },
  },
  {
    name: "[MQTT-3.2.2-2] CONNACK at level 4 with session present",
    level: 4,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      01     // acknowledge flags: session present 1
      00     // return code 0: connection accepted
    `,
    packet: { type: "connack", sessionPresent: true, reasonCode: 0 },
  },
  {
    name: "[MQTT-3.2.2-4] CONNACK at level 4 refusing with return code 5 (not authorized), session present 0",
    level: 4,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      00     // acknowledge flags: session present 0
      05     // return code 5: not authorized
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 5 },
  },
  {
    name: "CONNACK at level 4 refusing with return code 1 (unacceptable protocol version)",
    level: 4,
    sender: "server",
    bytes: hex`
      20 02  // CONNACK, remaining length 2
      00     // acknowledge flags: session present 0
      01     // return code 1: unacceptable protocol version
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 1 },
  },
  {
    name: "CONNACK at level 5 with success and an empty property section",
    level: 5,
    sender: "server",
    bytes: hex`
      20 03  // CONNACK, remaining length 3
      00     // acknowledge flags: session present 0
      00     // reason code 0x00: success
      00     // property length 0
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0, properties: {} },
  },
  {
    name: "CONNACK at level 5 with session present",
    level: 5,
    sender: "server",
    bytes: hex`
      20 03  // CONNACK, remaining length 3
      01     // acknowledge flags: session present 1
      00     // reason code 0x00: success
      00     // property length 0
    `,
    packet: { type: "connack", sessionPresent: true, reasonCode: 0, properties: {} },
  },
  {
    name: "CONNACK at level 5 refusing with reason code 0x87 (not authorized)",
    level: 5,
    sender: "server",
    bytes: hex`
      20 03  // CONNACK, remaining length 3
      00     // acknowledge flags: session present 0
      87     // reason code 0x87: not authorized
      00     // property length 0
    `,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0x87, properties: {} },
  },
  {
    name: "CONNACK at level 5 with properties in descending identifier order (decoded in any order)",
    level: 5,
    sender: "server",
    decodeOnly: true,
    bytes: hex`
      20 0d                 // CONNACK, remaining length 13
      00                    // acknowledge flags: session present 0
      00                    // reason code 0x00: success
      0a                    // property length 10
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
      21 00 05              //   0x21 receive maximum 5
    `,
    packet: {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: { userProperties: [["a", "b"]], receiveMaximum: 5 },
    },
  },
  {
    name: "CONNACK at level 5 with every CONNACK property",
    level: 5,
    sender: "server",
    bytes: hex`
      20 45                 // CONNACK, remaining length 69
      00                    // acknowledge flags: session present 0
      00                    // reason code 0x00: success
      42                    // property length 66
      11 00 00 0e 10        //   0x11 session expiry interval 3600 s
      12 00 02 63 31        //   0x12 assigned client identifier "c1"
      13 00 1e              //   0x13 server keep alive 30 s
      15 00 03 74 6f 6b     //   0x15 authentication method "tok"
      16 00 01 ff           //   0x16 authentication data ff
      1a 00 02 72 69        //   0x1A response information "ri"
      1c 00 02 73 32        //   0x1C server reference "s2"
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      21 00 14              //   0x21 receive maximum 20
      22 00 08              //   0x22 topic alias maximum 8
      24 01                 //   0x24 maximum QoS 1
      25 00                 //   0x25 retain available 0
      26 00 01 78 00 01 79  //   0x26 user property "x" = "y"
      27 00 01 00 00        //   0x27 maximum packet size 65536
      28 01                 //   0x28 wildcard subscription available 1
      29 00                 //   0x29 subscription identifiers available 0
      2a 01                 //   0x2A shared subscription available 1
    `,
    packet: {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 3600,
        assignedClientIdentifier: "c1",
        serverKeepAlive: 30,
        authenticationMethod: "tok",
        authenticationData: hex`ff`,
        responseInformation: "ri",
        serverReference: "s2",
        reasonString: "ok",
        receiveMaximum: 20,
        topicAliasMaximum: 8,
        maximumQoS: 1,
        retainAvailable: false,
        userProperties: [["x", "y"]],
        maximumPacketSize: 65536,
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: true,
      },
    },
  },
]);
