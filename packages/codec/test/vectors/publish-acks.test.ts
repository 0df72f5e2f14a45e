// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4 to 3.7 of MQTT 3.1, 3.1.1 and 5.0).
import { hex } from "@ternmq/testkit";
import { describeVectors } from "./check-vector.js";

describeVectors("PUBACK", [
  {
    name: "PUBACK at level 3",
    level: 3,
    sender: "client",
    bytes: hex`
      40 02  // PUBACK, remaining length 2
      00 01  // packet identifier 1
    `,
    packet: { type: "puback", packetId: 1 },
  },
  {
    name: "PUBACK at level 4",
    level: 4,
    sender: "server",
    bytes: hex`
      40 02  // PUBACK, remaining length 2
      12 34  // packet identifier 0x1234
    `,
    packet: { type: "puback", packetId: 0x1234 },
  },
  {
    name: "PUBACK at level 5, short form: success without properties (remaining length 2)",
    level: 5,
    sender: "client",
    bytes: hex`
      40 02  // PUBACK, remaining length 2: reason code 0x00 implied
      00 01  // packet identifier 1
    `,
    packet: { type: "puback", packetId: 1 },
  },
  {
    name: "PUBACK at level 5 with a reason code and no property length (remaining length 3)",
    level: 5,
    sender: "server",
    bytes: hex`
      40 03  // PUBACK, remaining length 3
      00 01  // packet identifier 1
      10     // reason code 0x10: no matching subscribers
    `,
    packet: { type: "puback", packetId: 1, reasonCode: 0x10 },
  },
  {
    name: "PUBACK at level 5 in its long form with success and no properties (decoded; the encoder picks the short form)",
    level: 5,
    sender: "client",
    decodeOnly: true,
    bytes: hex`
      40 04  // PUBACK, remaining length 4
      00 01  // packet identifier 1
      00     // reason code 0x00: success
      00     // property length 0
    `,
    packet: { type: "puback", packetId: 1, reasonCode: 0, properties: {} },
  },
  {
    name: "PUBACK at level 5 with reason string and duplicate user properties",
    level: 5,
    sender: "client",
    bytes: hex`
      40 17                 // PUBACK, remaining length 23
      00 05                 // packet identifier 5
      80                    // reason code 0x80: unspecified error
      13                    // property length 19
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b" again (duplicates are kept)
    `,
    packet: {
      type: "puback",
      packetId: 5,
      reasonCode: 0x80,
      properties: {
        reasonString: "ok",
        userProperties: [
          ["a", "b"],
          ["a", "b"],
        ],
      },
    },
  },
]);

describeVectors("PUBREC", [
  {
    name: "PUBREC at level 3",
    level: 3,
    sender: "server",
    bytes: hex`
      50 02  // PUBREC, remaining length 2
      00 02  // packet identifier 2
    `,
    packet: { type: "pubrec", packetId: 2 },
  },
  {
    name: "PUBREC at level 4",
    level: 4,
    sender: "client",
    bytes: hex`
      50 02  // PUBREC, remaining length 2
      ff ff  // packet identifier 65535
    `,
    packet: { type: "pubrec", packetId: 65535 },
  },
  {
    name: "PUBREC at level 5, short form (remaining length 2)",
    level: 5,
    sender: "server",
    bytes: hex`
      50 02  // PUBREC, remaining length 2: reason code 0x00 implied
      00 02  // packet identifier 2
    `,
    packet: { type: "pubrec", packetId: 2 },
  },
  {
    name: "PUBREC at level 5 with reason code 0x91 (packet identifier in use)",
    level: 5,
    sender: "client",
    bytes: hex`
      50 03  // PUBREC, remaining length 3
      00 02  // packet identifier 2
      91     // reason code 0x91: packet identifier in use
    `,
    packet: { type: "pubrec", packetId: 2, reasonCode: 0x91 },
  },
  {
    name: "PUBREC at level 5 with a reason string",
    level: 5,
    sender: "server",
    bytes: hex`
      50 09           // PUBREC, remaining length 9
      00 02           // packet identifier 2
      97              // reason code 0x97: quota exceeded
      05              // property length 5
      1f 00 02 6f 6b  //   0x1F reason string "ok"
    `,
    packet: { type: "pubrec", packetId: 2, reasonCode: 0x97, properties: { reasonString: "ok" } },
  },
]);

describeVectors("PUBREL", [
  {
    name: "[MQTT-3.6.1-1] PUBREL at level 3 has fixed header flags 0010",
    level: 3,
    sender: "client",
    bytes: hex`
      62 02  // PUBREL, flags 0010, remaining length 2
      00 03  // packet identifier 3
    `,
    packet: { type: "pubrel", packetId: 3 },
  },
  {
    name: "[MQTT-3.6.1-1] PUBREL at level 4 has fixed header flags 0010",
    level: 4,
    sender: "server",
    bytes: hex`
      62 02  // PUBREL, flags 0010, remaining length 2
      00 03  // packet identifier 3
    `,
    packet: { type: "pubrel", packetId: 3 },
  },
  {
    name: "PUBREL at level 5, short form (remaining length 2)",
    level: 5,
    sender: "client",
    bytes: hex`
      62 02  // PUBREL, flags 0010, remaining length 2: reason code 0x00 implied
      00 03  // packet identifier 3
    `,
    packet: { type: "pubrel", packetId: 3 },
  },
  {
    name: "PUBREL at level 5 with reason code 0x92 (packet identifier not found)",
    level: 5,
    sender: "server",
    bytes: hex`
      62 03  // PUBREL, flags 0010, remaining length 3
      00 03  // packet identifier 3
      92     // reason code 0x92: packet identifier not found
    `,
    packet: { type: "pubrel", packetId: 3, reasonCode: 0x92 },
  },
  {
    name: "PUBREL at level 5 with a user property",
    level: 5,
    sender: "client",
    bytes: hex`
      62 0b                 // PUBREL, flags 0010, remaining length 11
      00 03                 // packet identifier 3
      92                    // reason code 0x92: packet identifier not found
      07                    // property length 7
      26 00 01 6b 00 01 76  //   0x26 user property "k" = "v"
    `,
    packet: {
      type: "pubrel",
      packetId: 3,
      reasonCode: 0x92,
      properties: { userProperties: [["k", "v"]] },
    },
  },
]);

describeVectors("PUBCOMP", [
  {
    name: "PUBCOMP at level 3",
    level: 3,
    sender: "server",
    bytes: hex`
      70 02  // PUBCOMP, remaining length 2
      00 04  // packet identifier 4
    `,
    packet: { type: "pubcomp", packetId: 4 },
  },
  {
    name: "PUBCOMP at level 4",
    level: 4,
    sender: "client",
    bytes: hex`
      70 02  // PUBCOMP, remaining length 2
      00 04  // packet identifier 4
    `,
    packet: { type: "pubcomp", packetId: 4 },
  },
  {
    name: "PUBCOMP at level 5, short form (remaining length 2)",
    level: 5,
    sender: "server",
    bytes: hex`
      70 02  // PUBCOMP, remaining length 2: reason code 0x00 implied
      00 04  // packet identifier 4
    `,
    packet: { type: "pubcomp", packetId: 4 },
  },
  {
    name: "PUBCOMP at level 5 with reason code 0x92 (packet identifier not found)",
    level: 5,
    sender: "client",
    bytes: hex`
      70 03  // PUBCOMP, remaining length 3
      00 04  // packet identifier 4
      92     // reason code 0x92: packet identifier not found
    `,
    packet: { type: "pubcomp", packetId: 4, reasonCode: 0x92 },
  },
  {
    name: "PUBCOMP at level 5 with reason string and user property",
    level: 5,
    sender: "server",
    bytes: hex`
      70 10                 // PUBCOMP, remaining length 16
      00 04                 // packet identifier 4
      92                    // reason code 0x92: packet identifier not found
      0c                    // property length 12
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
    `,
    packet: {
      type: "pubcomp",
      packetId: 4,
      reasonCode: 0x92,
      properties: { reasonString: "ok", userProperties: [["a", "b"]] },
    },
  },
]);
