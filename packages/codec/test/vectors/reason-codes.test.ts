// Every reason code of the MQTT 5.0 tables (sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1,
// 3.7.2.1, 3.14.2.1) and every MQTT 3.1 / 3.1.1 CONNACK return code (section 3.2.2.3), each in
// the smallest packet that carries it.
import { hex } from "@ternmq/testkit";
import { describeVectors, type Vector } from "./check-vector.js";

type Table = readonly (readonly [code: number, meaning: string])[];

function byteOf(code: number): string {
  return code.toString(16).padStart(2, "0");
}

const connectReturnCodes: Table = [
  [0x00, "connection accepted"],
  [0x01, "unacceptable protocol version"],
  [0x02, "identifier rejected"],
  [0x03, "server unavailable"],
  [0x04, "bad user name or password"],
  [0x05, "not authorized"],
];

const connectReasonCodes: Table = [
  [0x80, "unspecified error"],
  [0x81, "malformed packet"],
  [0x82, "protocol error"],
  [0x83, "implementation specific error"],
  [0x84, "unsupported protocol version"],
  [0x85, "client identifier not valid"],
  [0x86, "bad user name or password"],
  [0x87, "not authorized"],
  [0x88, "server unavailable"],
  [0x89, "server busy"],
  [0x8a, "banned"],
  [0x8c, "bad authentication method"],
  [0x90, "topic name invalid"],
  [0x95, "packet too large"],
  [0x97, "quota exceeded"],
  [0x99, "payload format invalid"],
  [0x9a, "retain not supported"],
  [0x9b, "QoS not supported"],
  [0x9c, "use another server"],
  [0x9d, "server moved"],
  [0x9f, "connection rate exceeded"],
];

/** PUBACK and PUBREC share this table (0x00 success is the short form, covered elsewhere). */
const publishAckReasonCodes: Table = [
  [0x10, "no matching subscribers"],
  [0x80, "unspecified error"],
  [0x83, "implementation specific error"],
  [0x87, "not authorized"],
  [0x90, "topic name invalid"],
  [0x91, "packet identifier in use"],
  [0x97, "quota exceeded"],
  [0x99, "payload format invalid"],
];

const disconnectReasonCodes: Table = [
  [0x04, "disconnect with will message"],
  [0x80, "unspecified error"],
  [0x81, "malformed packet"],
  [0x82, "protocol error"],
  [0x83, "implementation specific error"],
  [0x87, "not authorized"],
  [0x89, "server busy"],
  [0x8b, "server shutting down"],
  [0x8d, "keep alive timeout"],
  [0x8e, "session taken over"],
  [0x8f, "topic filter invalid"],
  [0x90, "topic name invalid"],
  [0x93, "receive maximum exceeded"],
  [0x94, "topic alias invalid"],
  [0x95, "packet too large"],
  [0x96, "message rate too high"],
  [0x97, "quota exceeded"],
  [0x98, "administrative action"],
  [0x99, "payload format invalid"],
  [0x9a, "retain not supported"],
  [0x9b, "QoS not supported"],
  [0x9c, "use another server"],
  [0x9d, "server moved"],
  [0x9e, "shared subscriptions not supported"],
  [0x9f, "connection rate exceeded"],
  [0xa0, "maximum connect time"],
  [0xa1, "subscription identifiers not supported"],
  [0xa2, "wildcard subscriptions not supported"],
];

describeVectors("CONNACK return codes (3.1, 3.1.1)", [
  ...([3, 4] as const).flatMap((level) =>
    connectReturnCodes.map(
      ([code, meaning]): Vector => ({
        name: `CONNACK return code ${code}: ${meaning}`,
        level,
        sender: "server",
        bytes: hex`
          20 02          // CONNACK, remaining length 2
          00             // acknowledge flags 0
          ${byteOf(code)}  // return code
        `,
        packet: { type: "connack", sessionPresent: false, reasonCode: code },
      }),
    ),
  ),
]);

describeVectors(
  "CONNACK reason codes (5.0)",
  connectReasonCodes.map(
    ([code, meaning]): Vector => ({
      name: `CONNACK reason code 0x${byteOf(code)}: ${meaning}`,
      level: 5,
      sender: "server",
      bytes: hex`
        20 03          // CONNACK, remaining length 3
        00             // acknowledge flags 0
        ${byteOf(code)}  // reason code
        00             // property length 0
      `,
      packet: { type: "connack", sessionPresent: false, reasonCode: code, properties: {} },
    }),
  ),
);

describeVectors(
  "PUBACK and PUBREC reason codes (5.0)",
  (["puback", "pubrec"] as const).flatMap((type) =>
    publishAckReasonCodes.map(
      ([code, meaning]): Vector => ({
        name: `${type.toUpperCase()} reason code 0x${byteOf(code)}: ${meaning}`,
        level: 5,
        sender: "client",
        bytes: hex`
          ${type === "puback" ? "40" : "50"} 03  // ${type.toUpperCase()}, remaining length 3
          00 09                                  // packet identifier 9
          ${byteOf(code)}                          // reason code
        `,
        packet: { type, packetId: 9, reasonCode: code },
      }),
    ),
  ),
);

describeVectors(
  "DISCONNECT reason codes (5.0)",
  disconnectReasonCodes.map(
    ([code, meaning]): Vector => ({
      name: `DISCONNECT reason code 0x${byteOf(code)}: ${meaning}`,
      level: 5,
      sender: code === 0x04 ? "client" : "server",
      bytes: hex`
        e0 01          // DISCONNECT, remaining length 1
        ${byteOf(code)}  // reason code
      `,
      packet: { type: "disconnect", reasonCode: code },
    }),
  ),
);
