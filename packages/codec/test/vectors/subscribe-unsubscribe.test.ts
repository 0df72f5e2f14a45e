// SUBSCRIBE and SUBACK (sections 3.8 and 3.9 of MQTT 3.1, 3.1.1 and 5.0).
import { hex } from "@ternmq/testkit";
import { describeVectors } from "./check-vector.js";

describeVectors("SUBSCRIBE", [
  {
    name: "[MQTT-3.8.1-1] SUBSCRIBE at level 3 with one topic filter",
    level: 3,
    sender: "client",
    bytes: hex`
      82 08           // SUBSCRIBE, flags 0010, remaining length 8
      00 01           // packet identifier 1
      00 03 61 2f 62  // topic filter "a/b"
      01              // requested QoS 1
    `,
    packet: { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a/b", qos: 1 }] },
  },
  {
    name: "[MQTT-3.8.3-1] SUBSCRIBE at level 4 with three topic filters at QoS 0, 1 and 2",
    level: 4,
    sender: "client",
    bytes: hex`
      82 12           // SUBSCRIBE, flags 0010, remaining length 18
      00 0a           // packet identifier 10
      00 03 61 2f 62  // topic filter "a/b"
      00              // requested QoS 0
      00 01 23        // topic filter "#"
      01              // requested QoS 1
      00 03 64 2f 2b  // topic filter "d/+"
      02              // requested QoS 2
    `,
    packet: {
      type: "subscribe",
      packetId: 10,
      subscriptions: [
        { topicFilter: "a/b", qos: 0 },
        { topicFilter: "#", qos: 1 },
        { topicFilter: "d/+", qos: 2 },
      ],
    },
  },
  {
    name: "SUBSCRIBE at level 5 with default subscription options and no properties",
    level: 5,
    sender: "client",
    bytes: hex`
      82 07     // SUBSCRIBE, flags 0010, remaining length 7
      00 01     // packet identifier 1
      00        // property length 0
      00 01 61  // topic filter "a"
      00        // options: QoS 0, no local 0, retain as published 0, retain handling 0
    `,
    packet: {
      type: "subscribe",
      packetId: 1,
      subscriptions: [
        { topicFilter: "a", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
      properties: {},
    },
  },
  {
    name: "[MQTT-3.8.3-5] SUBSCRIBE at level 5 with every subscription option, a subscription identifier and duplicate user properties",
    level: 5,
    sender: "client",
    bytes: hex`
      82 23                 // SUBSCRIBE, flags 0010, remaining length 35
      00 02                 // packet identifier 2
      10                    // property length 16
      0b 05                 //   0x0B subscription identifier 5
      26 00 01 61 00 01 31  //   0x26 user property "a" = "1"
      26 00 01 61 00 01 31  //   0x26 user property "a" = "1" (an exact duplicate is kept)
      00 03 61 2f 62        // topic filter "a/b"
      2d                    // options 0010 1101: retain handling 2, RAP 1, NL 1, QoS 1
      00 01 63              // topic filter "c"
      10                    // options 0001 0000: retain handling 1, QoS 0
      00 03 64 2f 2b        // topic filter "d/+"
      0a                    // options 0000 1010: RAP 1, QoS 2
    `,
    packet: {
      type: "subscribe",
      packetId: 2,
      subscriptions: [
        { topicFilter: "a/b", qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: "c", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
        { topicFilter: "d/+", qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 0 },
      ],
      properties: {
        subscriptionIdentifiers: [5],
        userProperties: [
          ["a", "1"],
          ["a", "1"],
        ],
      },
    },
  },
]);

describeVectors("SUBACK", [
  {
    name: "SUBACK at level 3 granting QoS 0 and 2",
    level: 3,
    sender: "server",
    bytes: hex`
      90 04  // SUBACK, remaining length 4
      00 01  // packet identifier 1
      00     // granted QoS 0
      02     // granted QoS 2
    `,
    packet: { type: "suback", packetId: 1, reasonCodes: [0, 2] },
  },
  {
    name: "[MQTT-3.9.3-2] SUBACK at level 4 with return codes 0x00, 0x01, 0x02 and 0x80",
    level: 4,
    sender: "server",
    bytes: hex`
      90 06  // SUBACK, remaining length 6
      00 0a  // packet identifier 10
      00     // success, maximum QoS 0
      01     // success, maximum QoS 1
      02     // success, maximum QoS 2
      80     // failure
    `,
    packet: { type: "suback", packetId: 10, reasonCodes: [0, 1, 2, 0x80] },
  },
  {
    name: "SUBACK at level 5 with one reason code and no properties",
    level: 5,
    sender: "server",
    bytes: hex`
      90 04  // SUBACK, remaining length 4
      00 01  // packet identifier 1
      00     // property length 0
      01     // reason code 0x01: granted QoS 1
    `,
    packet: { type: "suback", packetId: 1, reasonCodes: [1], properties: {} },
  },
  {
    name: "SUBACK at level 5 with every SUBACK reason code, a reason string and a user property",
    level: 5,
    sender: "server",
    bytes: hex`
      90 1b                 // SUBACK, remaining length 27
      00 02                 // packet identifier 2
      0c                    // property length 12
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
      00                    // 0x00 granted QoS 0
      01                    // 0x01 granted QoS 1
      02                    // 0x02 granted QoS 2
      80                    // 0x80 unspecified error
      83                    // 0x83 implementation specific error
      87                    // 0x87 not authorized
      8f                    // 0x8F topic filter invalid
      91                    // 0x91 packet identifier in use
      97                    // 0x97 quota exceeded
      9e                    // 0x9E shared subscriptions not supported
      a1                    // 0xA1 subscription identifiers not supported
      a2                    // 0xA2 wildcard subscriptions not supported
    `,
    packet: {
      type: "suback",
      packetId: 2,
      reasonCodes: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
      properties: { reasonString: "ok", userProperties: [["a", "b"]] },
    },
  },
]);

describeVectors("UNSUBSCRIBE", [
  {
    name: "[MQTT-3.10.1-1] UNSUBSCRIBE at level 3 with one topic filter",
    level: 3,
    sender: "client",
    bytes: hex`
      a2 07           // UNSUBSCRIBE, flags 0010, remaining length 7
      00 03           // packet identifier 3
      00 03 61 2f 62  // topic filter "a/b"
    `,
    packet: { type: "unsubscribe", packetId: 3, topicFilters: ["a/b"] },
  },
  {
    name: "[MQTT-3.10.3-1] UNSUBSCRIBE at level 4 with two topic filters",
    level: 4,
    sender: "client",
    bytes: hex`
      a2 0a           // UNSUBSCRIBE, flags 0010, remaining length 10
      00 03           // packet identifier 3
      00 03 61 2f 62  // topic filter "a/b"
      00 01 23        // topic filter "#"
    `,
    packet: { type: "unsubscribe", packetId: 3, topicFilters: ["a/b", "#"] },
  },
  {
    name: "UNSUBSCRIBE at level 5 with no properties",
    level: 5,
    sender: "client",
    bytes: hex`
      a2 06     // UNSUBSCRIBE, flags 0010, remaining length 6
      00 01     // packet identifier 1
      00        // property length 0
      00 01 61  // topic filter "a"
    `,
    packet: { type: "unsubscribe", packetId: 1, topicFilters: ["a"], properties: {} },
  },
  {
    name: "UNSUBSCRIBE at level 5 with two user properties of the same name",
    level: 5,
    sender: "client",
    bytes: hex`
      a2 19                 // UNSUBSCRIBE, flags 0010, remaining length 25
      00 02                 // packet identifier 2
      0e                    // property length 14
      26 00 01 61 00 01 32  //   0x26 user property "a" = "2"
      26 00 01 61 00 01 31  //   0x26 user property "a" = "1" (wire order, not sorted)
      00 03 61 2f 62        // topic filter "a/b"
      00 01 23              // topic filter "#"
    `,
    packet: {
      type: "unsubscribe",
      packetId: 2,
      topicFilters: ["a/b", "#"],
      properties: {
        userProperties: [
          ["a", "2"],
          ["a", "1"],
        ],
      },
    },
  },
]);

describeVectors("UNSUBACK", [
  {
    name: "UNSUBACK at level 3",
    level: 3,
    sender: "server",
    bytes: hex`
      b0 02  // UNSUBACK, remaining length 2
      00 03  // packet identifier 3
    `,
    packet: { type: "unsuback", packetId: 3 },
  },
  {
    name: "UNSUBACK at level 4 carries only the packet identifier",
    level: 4,
    sender: "server",
    bytes: hex`
      b0 02  // UNSUBACK, remaining length 2
      00 03  // packet identifier 3
    `,
    packet: { type: "unsuback", packetId: 3 },
  },
  {
    name: "UNSUBACK at level 5 with every UNSUBACK reason code",
    level: 5,
    sender: "server",
    bytes: hex`
      b0 0a  // UNSUBACK, remaining length 10
      00 03  // packet identifier 3
      00     // property length 0
      00     // 0x00 success
      11     // 0x11 no subscription existed
      80     // 0x80 unspecified error
      83     // 0x83 implementation specific error
      87     // 0x87 not authorized
      8f     // 0x8F topic filter invalid
      91     // 0x91 packet identifier in use
    `,
    packet: {
      type: "unsuback",
      packetId: 3,
      reasonCodes: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
      properties: {},
    },
  },
  {
    name: "UNSUBACK at level 5 with a reason string",
    level: 5,
    sender: "server",
    bytes: hex`
      b0 09           // UNSUBACK, remaining length 9
      00 04           // packet identifier 4
      05              // property length 5
      1f 00 02 6f 6b  //   0x1F reason string "ok"
      00              // 0x00 success
    `,
    packet: {
      type: "unsuback",
      packetId: 4,
      reasonCodes: [0],
      properties: { reasonString: "ok" },
    },
  },
]);
