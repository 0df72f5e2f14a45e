/**
 * Every protocol violation and misuse the engine detects: the code, the 5.0 reason code,
 * and that the session's state did not change (the snapshot is the same afterwards).
 */
import type { Packet } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import {
  ClientSession,
  ServerSession,
  type Session,
  SessionError,
  type SessionErrorCode,
} from "../src/index.js";
import { message } from "./harness.js";

interface ViolationCase {
  name: string;
  /** Builds a connected session in the state the case needs. */
  setup: () => Session;
  act: (session: Session) => unknown;
  code: SessionErrorCode;
  reasonCode?: number;
}

function client(prepare: (session: ClientSession) => void = () => {}): () => ClientSession {
  return () => {
    const session = new ClientSession();
    session.connected(0, { sessionPresent: false });
    prepare(session);
    return session;
  };
}

function server(prepare: (session: ServerSession) => void = () => {}): () => ServerSession {
  return () => {
    const session = new ServerSession();
    session.connected(0, { sessionPresent: false });
    prepare(session);
    return session;
  };
}

const receive = (packet: Packet) => (session: Session) => session.handlePacket(packet, 1);
const publishPacket = (packetId: number, qos: 1 | 2): Packet => ({
  type: "publish",
  topic: "t",
  payload: new Uint8Array(),
  qos,
  retain: false,
  dup: false,
  packetId,
});

const cases: ViolationCase[] = [
  {
    name: "[MQTT-4.3.3-1] PUBACK for a QoS 2 message",
    setup: client((session) => session.publish(message(1, 2), 0)),
    act: receive({ type: "puback", packetId: 1 }),
    code: "MQTT_ERR_SESSION_PUBACK_FOR_QOS2",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-4.3.2-1] PUBREC for a QoS 1 message",
    setup: server((session) => session.publish(message(1, 1), 0)),
    act: receive({ type: "pubrec", packetId: 1 }),
    code: "MQTT_ERR_SESSION_PUBREC_FOR_QOS1",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-4.3.3-1] PUBCOMP before PUBREC",
    setup: client((session) => session.publish(message(1, 2), 0)),
    act: receive({ type: "pubcomp", packetId: 1 }),
    code: "MQTT_ERR_SESSION_PUBCOMP_OUT_OF_STATE",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-4.3.3-1] PUBREL before this side sent PUBREC",
    setup: server((session) => session.handlePacket(publishPacket(3, 2), 0)),
    act: receive({ type: "pubrel", packetId: 3 }),
    code: "MQTT_ERR_SESSION_PUBREL_OUT_OF_STATE",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-2.3.1-2] QoS 1 PUBLISH reusing an id awaiting PUBREL",
    setup: () => {
      const session = new ServerSession({ autoAcknowledge: true });
      session.connected(0, { sessionPresent: false });
      session.handlePacket(publishPacket(3, 2), 0);
      return session;
    },
    act: receive(publishPacket(3, 1)),
    code: "MQTT_ERR_SESSION_PACKET_ID_IN_USE",
    reasonCode: 0x91,
  },
  {
    name: "[MQTT-2.3.1-2] QoS 2 PUBLISH reusing the id of an unacknowledged QoS 1",
    setup: server((session) => session.handlePacket(publishPacket(3, 1), 0)),
    act: receive(publishPacket(3, 2)),
    code: "MQTT_ERR_SESSION_PACKET_ID_IN_USE",
    reasonCode: 0x91,
  },
  {
    name: "[MQTT-2.3.1-2] SUBSCRIBE reusing the id of an unfinished inbound PUBLISH",
    setup: server((session) => session.handlePacket(publishPacket(3, 1), 0)),
    act: receive({ type: "subscribe", packetId: 3, subscriptions: [{ topicFilter: "a", qos: 0 }] }),
    code: "MQTT_ERR_SESSION_PACKET_ID_IN_USE",
    reasonCode: 0x91,
  },
  {
    name: "[MQTT-3.8.4-5] SUBACK with the wrong number of return codes",
    setup: client((session) =>
      session.subscribe(
        [
          { topicFilter: "a", qos: 1 },
          { topicFilter: "b", qos: 2 },
        ],
        0,
      ),
    ),
    act: receive({ type: "suback", packetId: 1, reasonCodes: [1] }),
    code: "MQTT_ERR_SESSION_SUBACK_COUNT_MISMATCH",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-3.11.3-1] 5.0 UNSUBACK with the wrong number of reason codes",
    setup: client((session) => session.unsubscribe(["a"], 0)),
    act: receive({ type: "unsuback", packetId: 1, reasonCodes: [0, 0] }),
    code: "MQTT_ERR_SESSION_UNSUBACK_COUNT_MISMATCH",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-2.3.1-7] SUBACK for an id with no pending SUBSCRIBE",
    setup: client(),
    act: receive({ type: "suback", packetId: 4, reasonCodes: [0] }),
    code: "MQTT_ERR_SESSION_UNKNOWN_ACK_ID",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-2.3.1-7] UNSUBACK answering a SUBSCRIBE",
    setup: client((session) => session.subscribe([{ topicFilter: "a", qos: 0 }], 0)),
    act: receive({ type: "unsuback", packetId: 1 }),
    code: "MQTT_ERR_SESSION_UNKNOWN_ACK_ID",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-4.9.0-2] more unacknowledged inbound PUBLISH than receiveMaximum",
    setup: () => {
      const session = new ServerSession({ receiveMaximum: 1 });
      session.connected(0, { sessionPresent: false });
      session.handlePacket(publishPacket(1, 1), 0);
      return session;
    },
    act: receive(publishPacket(2, 1)),
    code: "MQTT_ERR_SESSION_RECEIVE_MAXIMUM_EXCEEDED",
    reasonCode: 0x93,
  },
  {
    name: "[MQTT-2.3.1-1] QoS 1 PUBLISH without a packet id",
    setup: server(),
    act: receive({
      type: "publish",
      topic: "t",
      payload: new Uint8Array(),
      qos: 1,
      retain: false,
      dup: false,
    }),
    code: "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
    reasonCode: 0x82,
  },
  {
    name: "a client receiving PINGREQ",
    setup: client(),
    act: receive({ type: "pingreq" }),
    code: "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
    reasonCode: 0x82,
  },
  {
    name: "[MQTT-3.1.0-2] a server receiving a second CONNECT",
    setup: server(),
    act: receive({ type: "connect", protocolVersion: 4, clientId: "c", clean: true, keepalive: 0 }),
    code: "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
    reasonCode: 0x82,
  },
  {
    name: "a server receiving SUBACK",
    setup: server(),
    act: receive({ type: "suback", packetId: 1, reasonCodes: [0] }),
    code: "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
    reasonCode: 0x82,
  },
  {
    name: "handlePacket while disconnected",
    setup: () => new ServerSession(),
    act: receive({ type: "pingreq" }),
    code: "MQTT_ERR_SESSION_NOT_CONNECTED",
  },
  {
    name: "subscribe while disconnected",
    setup: () => new ClientSession(),
    act: (session) => (session as ClientSession).subscribe([{ topicFilter: "a", qos: 0 }], 0),
    code: "MQTT_ERR_SESSION_NOT_CONNECTED",
  },
  {
    name: "[MQTT-3.8.3-3] subscribe with no subscription",
    setup: client(),
    act: (session) => (session as ClientSession).subscribe([], 0),
    code: "MQTT_ERR_SESSION_INVALID_MESSAGE",
  },
  {
    name: "[MQTT-3.3.1-4] publish at QoS 3",
    setup: client(),
    act: (session) =>
      session.publish({ topic: "t", payload: new Uint8Array(), qos: 3 as 0, retain: false }, 0),
    code: "MQTT_ERR_SESSION_INVALID_MESSAGE",
  },
];

describe("protocol violations are thrown as SessionError and change nothing", () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))("%s", (_, testCase) => {
    const session = testCase.setup();
    const before = session.snapshot();
    const countersBefore = session.counters;
    let thrown: unknown;
    try {
      testCase.act(session);
    } catch (error) {
      thrown = error;
    }
    expect(SessionError.isSessionError(thrown)).toBe(true);
    expect(SessionError.isInstance(thrown)).toBe(true);
    const error = thrown as SessionError;
    expect(error.code).toBe(testCase.code);
    expect(error.reasonCode).toBe(testCase.reasonCode);
    expect(session.snapshot()).toEqual(before);
    expect(session.counters).toEqual(countersBefore);
  });

  it("tolerates what is not a violation: PUBACK / PUBCOMP for unknown ids are ignored", () => {
    const session = client()();
    expect(session.handlePacket({ type: "puback", packetId: 99 }, 0)).toMatchObject({
      send: [],
      events: [],
    });
    expect(session.handlePacket({ type: "pubcomp", packetId: 99 }, 0)).toMatchObject({
      send: [],
      events: [],
    });
  });

  it("leaves the shell's packets to the shell: nothing sent, nothing thrown", () => {
    const serverSession = server()();
    const clientSession = client()();
    const shells: [Session, Packet][] = [
      [
        serverSession,
        { type: "subscribe", packetId: 5, subscriptions: [{ topicFilter: "a", qos: 1 }] },
      ],
      [serverSession, { type: "unsubscribe", packetId: 6, topicFilters: ["a"] }],
      [serverSession, { type: "disconnect" }],
      [serverSession, { type: "auth" }],
      [clientSession, { type: "connack", sessionPresent: false, reasonCode: 0 }],
      [clientSession, { type: "disconnect", reasonCode: 0x8b }],
      [clientSession, { type: "pingresp" }],
    ];
    for (const [session, packet] of shells) {
      expect(session.handlePacket(packet, 1)).toMatchObject({ send: [], events: [] });
    }
  });

  it("a PUBREC for an unknown id is answered by PUBREL so the receiver can finish", () => {
    const session = client()();
    expect(session.handlePacket({ type: "pubrec", packetId: 12 }, 0).send).toEqual([
      { type: "pubrel", packetId: 12 },
    ]);
  });

  it("connected() with an invalid window leaves a connected session as it was", () => {
    const session = client((connected) => connected.publish(message(1, 1), 0))();
    expect(() => session.connected(1, { sessionPresent: true, inflightWindow: 70_000 })).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_SESSION_INVALID_OPTION" }),
    );
    expect(session.state).toBe("connected");
    expect(session.counters.inflight).toBe(1);
  });

  it("rejects invalid options with MQTT_ERR_SESSION_INVALID_OPTION", () => {
    const attempts: (() => unknown)[] = [
      () => new ClientSession({ inflightWindow: 0 }),
      () => new ClientSession({ inflightWindow: 65_536 }),
      () => new ServerSession({ receiveMaximum: 0 }),
      () => new ServerSession({ retryIntervalMs: 1000, protocolVersion: 5 }),
      () => new ServerSession({ keepaliveSeconds: -1 }),
      () => new ServerSession({ queue: { maxMessages: 1.5 } }),
      () => new ClientSession().connected(0, { sessionPresent: false, inflightWindow: 0 }),
      () => new ServerSession().connected(0, { sessionPresent: false, keepaliveSeconds: 1.5 }),
    ];
    for (const attempt of attempts) {
      expect(() => attempt()).toThrow(
        expect.objectContaining({ code: "MQTT_ERR_SESSION_INVALID_OPTION" }),
      );
    }
  });
});
