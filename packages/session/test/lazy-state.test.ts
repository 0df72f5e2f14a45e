/**
 * Sessions start on shared, read-only empty collections (inflight window, packet ids,
 * inbound flows) and get their own on first use: these tests check that no state leaks from
 * one session to another through them, and that a session discarded back to them works on.
 */
import type { PublishPacket } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import { ServerSession } from "../src/index.js";
import { describePacket, message } from "./harness.js";

function inbound(packetId: number, qos: 1 | 2): PublishPacket {
  return {
    type: "publish",
    topic: "t",
    payload: new Uint8Array([1]),
    qos,
    retain: false,
    dup: false,
    packetId,
  };
}

function connected(): ServerSession {
  const session = new ServerSession();
  session.connected(0, { sessionPresent: false });
  return session;
}

describe("sessions that have not used QoS 1/2 yet", () => {
  it("[MQTT-2.3.1-2] a busy session's inflight ids and inbound flows do not show in an idle one", () => {
    const busy = connected();
    const idle = connected();
    expect(busy.publish(message(1, 1), 0).send.map(describePacket)).toEqual(["publish q1 #1"]);
    busy.handlePacket(inbound(7, 2), 0);
    busy.acknowledge(7, 0);
    expect(busy.counters).toMatchObject({ inflight: 1, inboundOpen: 1 });
    expect(idle.counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
    expect(idle.snapshot().inbound.awaitingPubrel).toEqual([]);
    // The idle session's first id is 1 too: the busy one's id 1 is not in its id space.
    expect(idle.publish(message(2, 1), 0).send.map(describePacket)).toEqual(["publish q1 #1"]);
    // Id 7 awaits PUBREL in the busy session only: to the idle one it is a new message.
    expect(idle.handlePacket(inbound(7, 2), 0).events).toMatchObject([
      { type: "message", packetId: 7 },
    ]);
    expect(busy.snapshot().inbound.awaitingPubrel).toEqual([7]);
  });

  it("[MQTT-3.1.2-6] a session discarded by a clean reconnect takes QoS 1/2 flows again", () => {
    const session = connected();
    session.publish(message(1, 2), 0);
    session.handlePacket(inbound(3, 2), 0);
    session.acknowledge(3, 0);
    session.connectionLost();
    session.connected(1, { sessionPresent: false });
    expect(session.counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
    expect(session.snapshot().outbound.inflight).toEqual([]);
    session.handlePacket(inbound(3, 1), 1);
    expect(session.acknowledge(3, 1).send.map(describePacket)).toEqual(["puback #3"]);
    // The id cursor carries on after the discard; id 1 was released with it.
    expect(session.publish(message(2, 1), 1).send.map(describePacket)).toEqual(["publish q1 #2"]);
    expect(session.counters.inflight).toBe(1);
    expect(connected().counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
  });
});
