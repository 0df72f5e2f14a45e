import { describe, expect, it } from "vitest";
import {
  ClientSession,
  type MessageDroppedEvent,
  ServerSession,
  type SessionEvent,
} from "../src/index.js";
import { describePacket, message, Pair, serialOf } from "./harness.js";

function drops(events: readonly SessionEvent[]): [string, number][] {
  return events
    .filter((event): event is MessageDroppedEvent => event.type === "message-dropped")
    .map((event) => [event.reason, serialOf(event.message)]);
}

describe("inflight window", () => {
  it("[MQTT-4.9.0-2] sends at most `inflightWindow` QoS 1/2 PUBLISH, queues the rest in order", () => {
    const pair = new Pair({ client: { inflightWindow: 2 }, server: { autoAcknowledge: true } });
    pair.connect(true);
    const sent = [1, 2, 3, 4].map(
      (serial) => pair.publish("client", message(serial, 1)).send.length,
    );
    expect(sent).toEqual([1, 1, 0, 0]);
    expect(pair.client.counters).toMatchObject({ inflight: 2, queued: 2 });
    // QoS 0 does not take a window slot, but waits behind queued messages (order).
    expect(pair.publish("client", message(5, 0)).send).toEqual([]);
    pair.settle();
    expect(pair.received("server").map((event) => serialOf(event.message))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(pair.client.counters).toMatchObject({ inflight: 0, queued: 0 });
  });

  it("QoS 0 goes out at once while nothing is queued, whatever the window", () => {
    const client = new ClientSession({ inflightWindow: 1 });
    client.connected(0, { sessionPresent: false });
    client.publish(message(1, 1), 0);
    expect(client.publish(message(2, 0), 0).send.map(describePacket)).toEqual(["publish q0"]);
  });

  it("connected() applies the peer's Receive Maximum as the new window", () => {
    const client = new ClientSession({ inflightWindow: 10 });
    client.connected(0, { sessionPresent: false, inflightWindow: 1 });
    expect(client.publish(message(1, 2), 0).send).toHaveLength(1);
    expect(client.publish(message(2, 2), 0).send).toHaveLength(0);
  });

  it("one acknowledgement frees one slot and sends the next queued message", () => {
    const client = new ClientSession({ inflightWindow: 1 });
    client.connected(0, { sessionPresent: false });
    client.publish(message(1, 1), 0);
    client.publish(message(2, 1), 0);
    const step = client.handlePacket({ type: "puback", packetId: 1 }, 1);
    expect(step.events.map((event) => event.type)).toEqual(["publish-complete"]);
    expect(step.send.map(describePacket)).toEqual(["publish q1 #2"]);
  });
});

describe("offline queue", () => {
  it("queues QoS 1/2 while disconnected and sends them on connect, in order", () => {
    const server = new ServerSession();
    server.connected(0, { sessionPresent: false });
    server.connectionLost();
    for (const serial of [1, 2, 3])
      expect(server.publish(message(serial, 1), 0)).toMatchObject({ send: [] });
    const step = server.connected(5, { sessionPresent: true });
    expect(step.send.map(describePacket)).toEqual([
      "publish q1 #1",
      "publish q1 #2",
      "publish q1 #3",
    ]);
  });

  it("drops QoS 0 while offline by default, with an event and a count", () => {
    const server = new ServerSession();
    const step = server.publish(message(1, 0), 0);
    expect(drops(step.events)).toEqual([["qos0-offline", 1]]);
    expect(server.counters).toMatchObject({ queued: 0, dropped: 1 });
  });

  it("queues QoS 0 while offline with queueQoS0WhileOffline", () => {
    const server = new ServerSession({ queue: { queueQoS0WhileOffline: true } });
    expect(server.publish(message(1, 0), 0).events).toEqual([]);
    expect(server.connected(0, { sessionPresent: true }).send.map(describePacket)).toEqual([
      "publish q0",
    ]);
  });

  it("when full drops the oldest QoS 0 first, then refuses the new message (reject-new)", () => {
    const server = new ServerSession({ queue: { maxMessages: 3, queueQoS0WhileOffline: true } });
    const events: SessionEvent[] = [];
    for (const [serial, qos] of [
      [1, 1],
      [2, 0],
      [3, 1],
      [4, 1],
      [5, 2],
    ] as const) {
      events.push(...server.publish(message(serial, qos), 0).events);
    }
    expect(drops(events)).toEqual([
      ["queue-full", 2],
      ["queue-full", 5],
    ]);
    expect(server.counters).toMatchObject({ queued: 3, dropped: 2 });
    expect(server.snapshot().outbound.queued.map(serialOf)).toEqual([1, 3, 4]);
  });

  it("drop-oldest drops the oldest message whatever its QoS", () => {
    const server = new ServerSession({ queue: { maxMessages: 2, overflow: "drop-oldest" } });
    const events = [1, 2, 3].flatMap((serial) => server.publish(message(serial, 1), 0).events);
    expect(drops(events)).toEqual([["queue-full", 1]]);
    expect(server.snapshot().outbound.queued.map(serialOf)).toEqual([2, 3]);
  });

  it("limits by bytes (payload + topic) and refuses a message larger than the limit", () => {
    // Each message: 4 payload bytes + 1 topic byte = 5.
    const server = new ServerSession({ queue: { maxBytes: 12, overflow: "drop-oldest" } });
    const events = [1, 2, 3].flatMap((serial) => server.publish(message(serial, 1), 0).events);
    expect(drops(events)).toEqual([["queue-full", 1]]);
    expect(server.counters).toMatchObject({ queued: 2, queuedBytes: 10 });
    const huge = { topic: "t", payload: new Uint8Array(20), qos: 1 as const, retain: false };
    const step = server.publish(huge, 0);
    expect(step.events).toMatchObject([
      { type: "message-dropped", reason: "queue-full", message: huge },
    ]);
    expect(server.counters.queued).toBe(2);
  });

  it("[MQTT-3.1.2-6] a clean start drops the server's inflight and queued messages, reported", () => {
    const server = new ServerSession({ inflightWindow: 1 });
    server.connected(0, { sessionPresent: false });
    server.publish(message(1, 1), 0);
    server.publish(message(2, 1), 0);
    server.connectionLost();
    const step = server.connected(1, { sessionPresent: false });
    expect(step.send).toEqual([]);
    expect(drops(step.events)).toEqual([
      ["session-discarded", 1],
      ["session-discarded", 2],
    ]);
    expect(server.counters).toMatchObject({ inflight: 0, queued: 0, dropped: 2 });
  });

  it("a client without a present session drops its inflight flows but sends never-sent messages", () => {
    const client = new ClientSession({ inflightWindow: 1 });
    client.connected(0, { sessionPresent: false });
    client.publish(message(1, 1), 0);
    client.publish(message(2, 1), 0);
    client.connectionLost();
    const step = client.connected(1, { sessionPresent: false });
    expect(drops(step.events)).toEqual([["session-discarded", 1]]);
    expect(step.send.map(describePacket)).toEqual(["publish q1 #2"]);
  });
});
