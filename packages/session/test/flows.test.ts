/**
 * Deterministic loss scenarios: for every QoS flow, in both directions, the connection
 * drops at every point of the flow (the packet in transit at that point is lost), then the
 * pair reconnects with and without a persistent session. Expectations come from one table.
 */

import type { QoS } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import type { MessageDroppedEvent, PublishCompleteEvent } from "../src/index.js";
import { describePacket, message, other, Pair, type Side, serialOf } from "./harness.js";

/** The packets of one flow, in the order they cross the link (sender first). */
const FLOW: Record<QoS, readonly string[]> = {
  0: ["publish"],
  1: ["publish", "puback"],
  2: ["publish", "pubrec", "pubrel", "pubcomp"],
};

/** The id the flow under test gets: a warm-up QoS 1 message took id 1. */
const ID = 2;

/**
 * Persistent session: what the sender resends on reconnect, and how many times the
 * receiver delivers the message in total, for each cut point (number of flow packets
 * delivered before the connection dropped).
 */
const PERSISTENT: Record<QoS, readonly { resend: readonly string[]; deliveries: number }[]> = {
  0: [
    { resend: [], deliveries: 0 }, // QoS 0 lost: at most once
    { resend: [], deliveries: 1 },
  ],
  1: [
    { resend: [`publish q1 dup #${ID}`], deliveries: 1 }, // PUBLISH lost
    { resend: [`publish q1 dup #${ID}`], deliveries: 2 }, // PUBACK lost: at least once
    { resend: [], deliveries: 1 },
  ],
  2: [
    { resend: [`publish q2 dup #${ID}`], deliveries: 1 }, // PUBLISH lost
    { resend: [`publish q2 dup #${ID}`], deliveries: 1 }, // PUBREC lost: answered, not redelivered
    { resend: [`pubrel #${ID}`], deliveries: 1 }, // PUBREL lost: only PUBREL is resent
    { resend: [`pubrel #${ID}`], deliveries: 1 }, // PUBCOMP lost: PUBREL for a forgotten id
    { resend: [], deliveries: 1 },
  ],
};

interface Case {
  sender: Side;
  qos: QoS;
  cut: number;
  persistent: boolean;
}

const cases: Case[] = [];
for (const sender of ["client", "server"] as const) {
  for (const qos of [0, 1, 2] as const) {
    for (let cut = 0; cut <= FLOW[qos].length; cut++) {
      for (const persistent of [true, false]) cases.push({ sender, qos, cut, persistent });
    }
  }
}

function name({ sender, qos, cut, persistent }: Case): string {
  const lost = FLOW[qos][cut];
  const point = lost === undefined ? "after the flow completed" : `${lost.toUpperCase()} lost`;
  return `${sender} -> ${other(sender)} QoS ${qos}, ${point}, reconnect ${persistent ? "persistent" : "clean"}`;
}

/** A connected pair in which `sender` already finished one QoS 1 flow (id 1). */
function warmPair(sender: Side): Pair {
  const pair = new Pair({ client: { autoAcknowledge: true }, server: { autoAcknowledge: true } });
  pair.connect(true);
  pair.publish(sender, message(0, 1, "warm-up"));
  pair.settle();
  return pair;
}

describe("[MQTT-4.4.0-1] loss at every point of every flow", () => {
  it("covers every cut point of every flow in both directions, both session kinds", () => {
    expect(cases).toHaveLength(2 * 2 * (2 + 3 + 5));
  });

  it.each(cases.map((testCase) => [name(testCase), testCase] as const))("%s", (_, testCase) => {
    const { sender, qos, cut, persistent } = testCase;
    const receiver = other(sender);
    const pair = warmPair(sender);
    const before = pair.received(receiver).length;

    pair.publish(sender, message(7, qos));
    for (let index = 0; index < cut; index++) {
      const direction = index % 2 === 0 ? receiver : sender;
      expect(pair.toward[direction].map((packet) => packet.type)).toEqual([FLOW[qos][index]]);
      pair.deliverNext(direction);
    }
    pair.disconnect();

    const reconnect = pair.connect(persistent);
    const expected = PERSISTENT[qos][cut];
    if (expected === undefined) throw new Error("table incomplete");
    const senderStep = reconnect[sender];
    expect(senderStep.send.map(describePacket)).toEqual(persistent ? expected.resend : []);
    expect(reconnect[receiver].send).toEqual([]);
    for (const packet of senderStep.send) {
      if (packet.type === "publish") expect(serialOf(packet)).toBe(7);
    }
    pair.settle();

    const deliveries = pair.received(receiver).slice(before);
    const cleanDeliveries = cut === 0 ? 0 : 1;
    expect(deliveries).toHaveLength(persistent ? expected.deliveries : cleanDeliveries);
    for (const delivery of deliveries) expect(serialOf(delivery.message)).toBe(7);
    if (qos === 2) expect(deliveries.length).toBeLessThanOrEqual(1); // exactly once at most

    const senderEvents = pair.events[sender];
    const completed = senderEvents.filter(
      (event): event is PublishCompleteEvent =>
        event.type === "publish-complete" && event.packetId === ID,
    );
    const dropped = senderEvents.filter(
      (event): event is MessageDroppedEvent => event.type === "message-dropped",
    );
    const flowFinished = cut === FLOW[qos].length;
    if (qos === 0) {
      expect(completed).toEqual([]);
    } else if (persistent || flowFinished) {
      expect(completed).toHaveLength(1);
      expect(dropped).toEqual([]);
    } else {
      // A clean session drops the unfinished flow and says so.
      expect(completed).toEqual([]);
      expect(dropped.map((event) => [event.reason, event.packetId])).toEqual([
        ["session-discarded", ID],
      ]);
    }
    for (const side of ["client", "server"] as const) {
      expect(pair.session(side).counters).toMatchObject({ inflight: 0, queued: 0, inboundOpen: 0 });
    }
  });
});

describe("resend order", () => {
  it("[MQTT-4.6.0-1] resends PUBLISH (DUP=1) and PUBREL in the original order with original ids", () => {
    const pair = new Pair({ client: { autoAcknowledge: true }, server: { autoAcknowledge: true } });
    pair.connect(true);
    pair.publish("client", message(1, 2));
    pair.publish("client", message(2, 1));
    pair.publish("client", message(3, 2));
    pair.publish("client", message(4, 0));
    pair.deliverNext("server"); // PUBLISH 1 -> PUBREC 1 in transit
    pair.deliverNext("client"); // PUBREC 1 -> client sends PUBREL 1
    pair.disconnect();

    const { client } = pair.connect(true);
    expect(client.send.map(describePacket)).toEqual([
      "pubrel #1",
      "publish q1 dup #2",
      "publish q2 dup #3",
    ]);
    pair.settle();
    // The QoS 0 message was in transit when the connection dropped: at most once.
    expect(pair.received("server").map((event) => serialOf(event.message))).toEqual([1, 2, 3]);
  });

  it("[MQTT-4.6.0-6] queued messages follow the resends, in publish order", () => {
    const pair = new Pair({
      client: { inflightWindow: 1, autoAcknowledge: true },
      server: { autoAcknowledge: true },
    });
    pair.connect(true);
    for (let serial = 1; serial <= 4; serial++) pair.publish("client", message(serial, 1));
    pair.disconnect();
    pair.publish("client", message(5, 1));
    const { client } = pair.connect(true);
    expect(client.send.map(describePacket)).toEqual(["publish q1 dup #1"]);
    pair.settle();
    expect(pair.received("server").map((event) => serialOf(event.message))).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });
});

/**
 * A receiver that acknowledges only once the message is safe (durable broker, manual
 * acknowledge): the connection drops after the delivery and before the acknowledgement.
 */
describe("[MQTT-4.3.3-2] loss between delivery and acknowledge()", () => {
  const timings = ["acknowledged after the reconnect", "acknowledged during the outage"] as const;
  /** Deliveries in total, per QoS and timing. */
  const expectedDeliveries: Record<1 | 2, Record<(typeof timings)[number], number>> = {
    // The duplicate arrives while the first is still unacknowledged: not delivered again.
    // Acknowledged while down, the PUBACK was never sent: the resend is a new delivery.
    1: { "acknowledged after the reconnect": 1, "acknowledged during the outage": 2 },
    // QoS 2 never delivers twice: the id stays known until PUBREL.
    2: { "acknowledged after the reconnect": 1, "acknowledged during the outage": 1 },
  };
  const manualCases = (["client", "server"] as const).flatMap((sender) =>
    ([1, 2] as const).flatMap((qos) => timings.map((timing) => ({ sender, qos, timing }))),
  );

  it.each(
    manualCases.map(
      (testCase) =>
        [
          `${testCase.sender} -> ${other(testCase.sender)} QoS ${testCase.qos}, ${testCase.timing}`,
          testCase,
        ] as const,
    ),
  )("%s", (_, { sender, qos, timing }) => {
    const receiver = other(sender);
    const pair = new Pair();
    pair.connect(true);
    pair.publish(sender, message(7, qos));
    pair.deliverNext(receiver);
    const [delivery] = pair.received(receiver);
    expect(delivery).toMatchObject({ ackRequired: true, packetId: 1 });
    pair.disconnect();
    if (timing === "acknowledged during the outage") {
      expect(pair.accept(receiver, pair.session(receiver).acknowledge(1, pair.now)).send).toEqual(
        [],
      );
    }
    expect(pair.connect(true)[sender].send.map(describePacket)).toEqual([`publish q${qos} dup #1`]);
    // Settle, acknowledging every delivery that asks for it, as a shell would.
    let acknowledged = timing === "acknowledged during the outage" ? 1 : 0;
    for (let rounds = 0; rounds < 10; rounds++) {
      pair.settle();
      const pending = pair
        .received(receiver)
        .filter((event) => event.ackRequired)
        .slice(acknowledged);
      if (pending.length === 0) break;
      for (const event of pending) {
        if (event.packetId !== undefined) {
          pair.accept(receiver, pair.session(receiver).acknowledge(event.packetId, pair.now));
        }
      }
      acknowledged += pending.length;
    }
    expect(pair.received(receiver)).toHaveLength(expectedDeliveries[qos][timing]);
    expect(pair.events[sender].filter((event) => event.type === "publish-complete")).toHaveLength(
      1,
    );
    for (const side of ["client", "server"] as const) {
      expect(pair.session(side).counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
    }
  });
});
