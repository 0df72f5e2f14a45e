// PINGREQ, PINGRESP, DISCONNECT (sections 3.12 to 3.14) and the 5.0 AUTH packet (section 3.15).
import { hex } from "@ternmq/testkit";
import { describeVectors, type Vector } from "./check-vector.js";

const levels = [3, 4, 5] as const;

describeVectors(
  "PINGREQ",
  levels.map(
    (level): Vector => ({
      name: "PINGREQ has no variable header or payload",
      level,
      sender: "client",
      bytes: hex`
        c0 00  // PINGREQ, remaining length 0
      `,
      packet: { type: "pingreq" },
    }),
  ),
);

describeVectors("PINGREQ with a non-minimal remaining length", [
  {
    name: "a remaining length of 0 written in two bytes (80 00) is accepted, as documented",
    level: 4,
    sender: "client",
    decodeOnly: true,
    bytes: hex`
      c0     // PINGREQ
      80 00  // remaining length 0, non-minimal: 0x00 with a continuation, then 0x00
    `,
    packet: { type: "pingreq" },
  },
]);

describeVectors(
  "PINGRESP",
  levels.map(
    (level): Vector => ({
      name: "PINGRESP has no variable header or payload",
      level,
      sender: "server",
      bytes: hex`
        d0 00  // PINGRESP, remaining length 0
      `,
      packet: { type: "pingresp" },
    }),
  ),
);

describeVectors("DISCONNECT", [
  {
    name: "DISCONNECT at level 3 has no variable header or payload",
    level: 3,
    sender: "client",
    bytes: hex`
      e0 00  // DISCONNECT, remaining length 0
    `,
    packet: { type: "disconnect" },
  },
  {
    name: "DISCONNECT at level 4 has no variable header or payload",
    level: 4,
    sender: "client",
    bytes: hex`
      e0 00  // DISCONNECT, remaining length 0
    `,
    packet: { type: "disconnect" },
  },
  {
    name: "DISCONNECT at level 5, short form (section 3.14.2.1): normal disconnection, remaining length 0",
    level: 5,
    sender: "client",
    bytes: hex`
      e0 00  // DISCONNECT, remaining length 0: reason code 0x00 implied
    `,
    packet: { type: "disconnect" },
  },
  {
    name: "DISCONNECT at level 5 with reason code 0x04 and no property length (remaining length 1)",
    level: 5,
    sender: "client",
    bytes: hex`
      e0 01  // DISCONNECT, remaining length 1
      04     // reason code 0x04: disconnect with will message
    `,
    packet: { type: "disconnect", reasonCode: 0x04 },
  },
  {
    name: "DISCONNECT at level 5 in its long form with reason 0x00 and no properties (decoded only)",
    level: 5,
    sender: "server",
    decodeOnly: true,
    bytes: hex`
      e0 02  // DISCONNECT, remaining length 2
      00     // reason code 0x00: normal disconnection
      00     // property length 0
    `,
    packet: { type: "disconnect", reasonCode: 0, properties: {} },
  },
  {
    name: "DISCONNECT at level 5 from the client with a session expiry interval",
    level: 5,
    sender: "client",
    bytes: hex`
      e0 07           // DISCONNECT, remaining length 7
      00              // reason code 0x00: normal disconnection
      05              // property length 5
      11 00 00 00 00  //   0x11 session expiry interval 0 s
    `,
    packet: { type: "disconnect", reasonCode: 0, properties: { sessionExpiryInterval: 0 } },
  },
  {
    name: "DISCONNECT at level 5 from the server with server reference, reason string and user property",
    level: 5,
    sender: "server",
    bytes: hex`
      e0 13                 // DISCONNECT, remaining length 19
      9c                    // reason code 0x9C: use another server
      11                    // property length 17
      1c 00 02 73 32        //   0x1C server reference "s2"
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
    `,
    packet: {
      type: "disconnect",
      reasonCode: 0x9c,
      properties: { serverReference: "s2", reasonString: "ok", userProperties: [["a", "b"]] },
    },
  },
]);

describeVectors("AUTH", [
  {
    name: "AUTH at level 5, short form (section 3.15.2.1): success without properties, remaining length 0",
    level: 5,
    sender: "server",
    bytes: hex`
      f0 00  // AUTH, remaining length 0: reason code 0x00 implied
    `,
    packet: { type: "auth" },
  },
  {
    name: "AUTH at level 5 from the client: continue authentication with every AUTH property",
    level: 5,
    sender: "client",
    bytes: hex`
      f0 19                 // AUTH, remaining length 25
      18                    // reason code 0x18: continue authentication
      17                    // property length 23
      15 00 03 74 6f 6b     //   0x15 authentication method "tok"
      16 00 02 01 02        //   0x16 authentication data 01 02
      1f 00 02 6f 6b        //   0x1F reason string "ok"
      26 00 01 61 00 01 62  //   0x26 user property "a" = "b"
    `,
    packet: {
      type: "auth",
      reasonCode: 0x18,
      properties: {
        authenticationMethod: "tok",
        authenticationData: hex`01 02`,
        reasonString: "ok",
        userProperties: [["a", "b"]],
      },
    },
  },
  {
    name: "AUTH at level 5 from the client: re-authenticate",
    level: 5,
    sender: "client",
    bytes: hex`
      f0 08              // AUTH, remaining length 8
      19                 // reason code 0x19: re-authenticate
      06                 // property length 6
      15 00 03 74 6f 6b  //   0x15 authentication method "tok"
    `,
    packet: { type: "auth", reasonCode: 0x19, properties: { authenticationMethod: "tok" } },
  },
  {
    name: "AUTH at level 5 from the server: success with an authentication method",
    level: 5,
    sender: "server",
    bytes: hex`
      f0 08              // AUTH, remaining length 8
      00                 // reason code 0x00: success
      06                 // property length 6
      15 00 03 74 6f 6b  //   0x15 authentication method "tok"
    `,
    packet: { type: "auth", reasonCode: 0, properties: { authenticationMethod: "tok" } },
  },
]);
