/**
 * The engine journal (`journal: true`): each kind of state change, as the Step's `changes`,
 * and the stored snapshot after applying them (it must equal `session.snapshot()`).
 */
import { describe, expect, it } from "vitest";
import { ChangeJournal } from "../src/change-journal.js";
import {
  ClientSession,
  EMPTY_STEP,
  ServerSession,
  type SessionMessage,
  type SessionOptions,
} from "../src/index.js";
import { message } from "./harness.js";
import { Mirror } from "./journal-mirror.js";

async function connectedServer(options: SessionOptions = {}): Promise<Mirror> {
  const mirror = await Mirror.of(new ServerSession({ journal: true, ...options }));
  await mirror.apply(mirror.session.connected(0, { sessionPresent: false }));
  return mirror;
}

describe("journal: false (default)", () => {
  it("Steps carry no changes, and calls that do nothing still return EMPTY_STEP", () => {
    const session = new ServerSession();
    expect(session.connected(0, { sessionPresent: false })).toBe(EMPTY_STEP);
    const step = session.publish(message(1, 1), 0);
    expect(step.send).toHaveLength(1);
    expect(step.changes).toBeUndefined();
    expect(session.handlePacket({ type: "puback", packetId: 1 }, 0).changes).toBeUndefined();
    expect(session.handlePacket({ type: "puback", packetId: 9 }, 0)).toBe(EMPTY_STEP);
  });
});

describe("journal: outbound inflight", () => {
  it("QoS 1 PUBLISH puts an awaiting-puback entry and moves the id cursor; PUBACK removes it", async () => {
    const mirror = await connectedServer();
    const sent = await mirror.apply(mirror.session.publish(message(1, 1), 0));
    expect(sent.changes).toEqual({
      putInflight: [{ packetId: 1, state: "awaiting-puback", message: message(1, 1) }],
      nextPacketId: 2,
    });
    await mirror.expectInSync();
    const acked = await mirror.apply(
      mirror.session.handlePacket({ type: "puback", packetId: 1 }, 1),
    );
    expect(acked.changes).toEqual({ removeInflight: [1] });
    await mirror.expectInSync();
  });

  it("a PUBACK for an unknown id changes nothing (no changes, EMPTY_STEP)", async () => {
    const mirror = await connectedServer();
    expect(mirror.session.handlePacket({ type: "puback", packetId: 7 }, 0)).toBe(EMPTY_STEP);
  });

  it("[MQTT-4.3.3-1] QoS 2: PUBREC replaces the entry by an id-only awaiting-pubcomp, PUBCOMP removes it", async () => {
    const mirror = await connectedServer();
    await mirror.apply(mirror.session.publish(message(1, 2), 0));
    await mirror.apply(mirror.session.publish(message(2, 1), 0));
    const pubrec = await mirror.apply(
      mirror.session.handlePacket({ type: "pubrec", packetId: 1 }, 1),
    );
    expect(pubrec.send).toEqual([{ type: "pubrel", packetId: 1 }]);
    expect(pubrec.changes).toEqual({ putInflight: [{ packetId: 1, state: "awaiting-pubcomp" }] });
    await mirror.expectInSync();
    // The entry kept its place (first sent) in the store.
    expect((await mirror.stored()).outbound.inflight.map((entry) => entry.packetId)).toEqual([
      1, 2,
    ]);
    const again = mirror.session.handlePacket({ type: "pubrec", packetId: 1 }, 2);
    expect(again.send).toEqual([{ type: "pubrel", packetId: 1 }]);
    expect(again.changes).toBeUndefined();
    const pubcomp = await mirror.apply(
      mirror.session.handlePacket({ type: "pubcomp", packetId: 1 }, 3),
    );
    expect(pubcomp.changes).toEqual({ removeInflight: [1] });
    await mirror.expectInSync();
  });

  it("[MQTT-4.4.0-2] a failed 5.0 PUBREC removes the entry", async () => {
    const mirror = await connectedServer({ protocolVersion: 5 });
    await mirror.apply(mirror.session.publish(message(1, 2), 0));
    const step = await mirror.apply(
      mirror.session.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0x80 }, 1),
    );
    expect(step.changes).toEqual({ removeInflight: [1] });
    await mirror.expectInSync();
  });

  it("QoS 0 PUBLISH sent at once changes nothing", async () => {
    const mirror = await connectedServer();
    const step = mirror.session.publish(message(1, 0), 0);
    expect(step.send).toHaveLength(1);
    expect(step.changes).toBeUndefined();
  });

  it("resends on reconnect change nothing (DUP is not state)", async () => {
    const mirror = await connectedServer();
    await mirror.apply(mirror.session.publish(message(1, 1), 0));
    expect(mirror.session.connectionLost().changes).toBeUndefined();
    const resumed = mirror.session.connected(1, { sessionPresent: true });
    expect(resumed.send).toHaveLength(1);
    expect(resumed.changes).toBeUndefined();
  });
});

describe("journal: queue", () => {
  it("offline QoS 1/2 messages are enqueued; connected() dequeues what goes inflight", async () => {
    const mirror = await Mirror.of(new ServerSession({ journal: true, inflightWindow: 1 }));
    const first = await mirror.apply(mirror.session.publish(message(1, 1), 0));
    expect(first.changes).toEqual({ enqueue: [message(1, 1)] });
    await mirror.apply(mirror.session.publish(message(2, 2), 0));
    await mirror.expectInSync();
    const connected = await mirror.apply(mirror.session.connected(1, { sessionPresent: true }));
    expect(connected.changes).toEqual({
      dequeue: 1,
      putInflight: [{ packetId: 1, state: "awaiting-puback", message: message(1, 1) }],
      nextPacketId: 2,
    });
    await mirror.expectInSync();
    const acked = await mirror.apply(
      mirror.session.handlePacket({ type: "puback", packetId: 1 }, 2),
    );
    expect(acked.changes).toEqual({
      dequeue: 1,
      removeInflight: [1],
      putInflight: [{ packetId: 2, state: "awaiting-pubrec", message: message(2, 2) }],
      nextPacketId: 3,
    });
    await mirror.expectInSync();
  });

  it("a QoS 0 message dropped offline (queueQoS0WhileOffline false) changes nothing", async () => {
    const mirror = await Mirror.of(new ServerSession({ journal: true }));
    const step = mirror.session.publish(message(1, 0), 0);
    expect(step.events.map((event) => event.type)).toEqual(["message-dropped"]);
    expect(step.changes).toBeUndefined();
  });

  it("a full queue rejecting the new message changes nothing", async () => {
    const mirror = await Mirror.of(new ServerSession({ journal: true, queue: { maxMessages: 1 } }));
    await mirror.apply(mirror.session.publish(message(1, 1), 0));
    const step = mirror.session.publish(message(2, 1), 0);
    expect(step.events.map((event) => event.type)).toEqual(["message-dropped"]);
    expect(step.changes).toBeUndefined();
  });

  it("drop-oldest: the stored head is dequeued and the new message enqueued", async () => {
    const mirror = await Mirror.of(
      new ServerSession({ journal: true, queue: { maxMessages: 2, overflow: "drop-oldest" } }),
    );
    await mirror.apply(mirror.session.publish(message(1, 1), 0));
    await mirror.apply(mirror.session.publish(message(2, 1), 0));
    const step = await mirror.apply(mirror.session.publish(message(3, 1), 0));
    expect(step.changes).toEqual({ dequeue: 1, enqueue: [message(3, 1)] });
    await mirror.expectInSync();
  });

  it("dropping the oldest QoS 0 from the middle of the queue rewrites the stored queue", async () => {
    const mirror = await Mirror.of(
      new ServerSession({
        journal: true,
        queue: { maxMessages: 3, queueQoS0WhileOffline: true },
      }),
    );
    for (const queued of [message(1, 1), message(2, 0), message(3, 1)]) {
      await mirror.apply(mirror.session.publish(queued, 0));
    }
    const step = await mirror.apply(mirror.session.publish(message(4, 2), 0));
    expect(step.changes).toEqual({
      dequeue: 3,
      enqueue: [message(1, 1), message(3, 1), message(4, 2)],
    });
    await mirror.expectInSync();
  });

  it("messages in `changes` are plain SessionMessages (no packet fields)", async () => {
    const mirror = await Mirror.of(new ServerSession({ journal: true }));
    const packetLike = { ...message(1, 1), type: "publish", dup: true, packetId: 3 };
    const step = mirror.session.publish(packetLike, 0);
    expect(step.changes?.enqueue).toStrictEqual([message(1, 1)]);
  });
});

describe("journal: inbound QoS 2", () => {
  it("[MQTT-4.3.3-2] PUBREC adds the id awaiting PUBREL; PUBREL removes it", async () => {
    const mirror = await connectedServer({ autoAcknowledge: true });
    const publish = { ...message(1, 2), type: "publish" as const, dup: false, packetId: 5 };
    const received = await mirror.apply(mirror.session.handlePacket(publish, 0));
    expect(received.changes).toEqual({ addAwaitingPubrel: [5] });
    await mirror.expectInSync();
    const duplicate = mirror.session.handlePacket({ ...publish, dup: true }, 1);
    expect(duplicate.send).toEqual([{ type: "pubrec", packetId: 5 }]);
    expect(duplicate.changes).toBeUndefined();
    const released = await mirror.apply(
      mirror.session.handlePacket({ type: "pubrel", packetId: 5 }, 2),
    );
    expect(released.changes).toEqual({ removeAwaitingPubrel: [5] });
    await mirror.expectInSync();
    const unknown = mirror.session.handlePacket({ type: "pubrel", packetId: 5 }, 3);
    expect(unknown.send).toHaveLength(1);
    expect(unknown.changes).toBeUndefined();
  });

  it("with manual acknowledgement the id is journaled by acknowledge(), in arrival order", async () => {
    const mirror = await connectedServer();
    const publish = (packetId: number) => ({
      ...message(packetId, 2),
      type: "publish" as const,
      dup: false,
      packetId,
    });
    expect(mirror.session.handlePacket(publish(1), 0).changes).toBeUndefined();
    expect(mirror.session.handlePacket(publish(2), 0).changes).toBeUndefined();
    // Acknowledging the newer one first releases nothing yet [MQTT-4.6.0-3].
    expect(mirror.session.acknowledge(2, 1).changes).toBeUndefined();
    const both = await mirror.apply(mirror.session.acknowledge(1, 1));
    expect(both.changes).toEqual({ addAwaitingPubrel: [1, 2] });
    await mirror.expectInSync();
  });

  it("a QoS 1 PUBLISH (acknowledged or not) is not state", async () => {
    const mirror = await connectedServer({ autoAcknowledge: true });
    const step = mirror.session.handlePacket(
      { ...message(1, 1), type: "publish", dup: false, packetId: 1 },
      0,
    );
    expect(step.send).toEqual([{ type: "puback", packetId: 1 }]);
    expect(step.changes).toBeUndefined();
  });
});

describe("journal: discard (sessionPresent false)", () => {
  it("[MQTT-3.1.2-6] a server discard is journaled as removals of everything", async () => {
    const mirror = await connectedServer({ autoAcknowledge: true, inflightWindow: 2 });
    const session = mirror.session;
    for (const serial of [1, 2, 3]) await mirror.apply(session.publish(message(serial, 2), 0));
    await mirror.apply(session.handlePacket({ type: "pubrec", packetId: 1 }, 0));
    await mirror.apply(
      session.handlePacket({ ...message(9, 2), type: "publish", dup: false, packetId: 9 }, 0),
    );
    await mirror.apply(session.connectionLost());
    const discarded = await mirror.apply(session.connected(1, { sessionPresent: false }));
    expect(discarded.changes).toEqual({
      dequeue: 1,
      removeInflight: [1, 2],
      nextPacketId: 3,
      removeAwaitingPubrel: [9],
    });
    await mirror.expectInSync();
    expect(await mirror.stored()).toEqual(session.snapshot());
  });

  it("a client discard keeps the queue, which then drains into the window", async () => {
    const mirror = await Mirror.of(new ClientSession({ journal: true, inflightWindow: 1 }));
    const session = mirror.session;
    await mirror.apply(session.connected(0, { sessionPresent: true }));
    await mirror.apply(session.publish(message(1, 1), 0));
    await mirror.apply(session.publish(message(2, 1), 0));
    await mirror.apply(session.connectionLost());
    const discarded = await mirror.apply(session.connected(1, { sessionPresent: false }));
    expect(discarded.changes).toEqual({
      dequeue: 1,
      removeInflight: [1],
      putInflight: [{ packetId: 2, state: "awaiting-puback", message: message(2, 1) }],
      nextPacketId: 3,
    });
    await mirror.expectInSync();
  });

  it("discarding an empty session changes nothing", async () => {
    const mirror = await Mirror.of(new ServerSession({ journal: true }));
    expect(mirror.session.connected(0, { sessionPresent: false }).changes).toBeUndefined();
  });
});

describe("journal: client requests", () => {
  it("[MQTT-2.3.1-2] SUBSCRIBE and UNSUBSCRIBE take ids from the PUBLISH cursor, journaled", async () => {
    const mirror = await Mirror.of(new ClientSession({ journal: true }));
    const session = mirror.session as ClientSession;
    await mirror.apply(session.connected(0, { sessionPresent: false }));
    const subscribe = await mirror.apply(session.subscribe([{ topicFilter: "a", qos: 1 }], 0));
    expect(subscribe.packetId).toBe(1);
    expect(subscribe.changes).toEqual({ nextPacketId: 2 });
    const unsubscribe = await mirror.apply(session.unsubscribe(["a"], 0));
    expect(unsubscribe.changes).toEqual({ nextPacketId: 3 });
    await mirror.expectInSync();
    expect(
      session.handlePacket({ type: "suback", packetId: 1, reasonCodes: [1] }, 0).changes,
    ).toBeUndefined();
  });
});

describe("ChangeJournal ordering under the store's fixed order", () => {
  const a: SessionMessage = message(1, 1);
  const b: SessionMessage = message(2, 1);

  it("a message enqueued then dequeued in one call never reaches the store", () => {
    const journal = new ChangeJournal();
    journal.queueAppended(a, 0);
    journal.queueShifted(1);
    expect(journal.take()).toBeUndefined();
  });

  it("dequeues count only stored messages, whatever the interleaving", () => {
    const journal = new ChangeJournal();
    journal.queueShifted(2); // stored head
    journal.queueAppended(a, 1);
    journal.queueShifted(2); // the other stored message
    journal.queueAppended(b, 1);
    journal.queueShifted(2); // a, enqueued by this call
    expect(journal.take()).toEqual({ dequeue: 2, enqueue: [b] });
  });

  it("an inflight id removed and reused in one call is removed, then put last", () => {
    const journal = new ChangeJournal();
    journal.inflightRemoved(4);
    journal.inflightAdded({ packetId: 4, state: "awaiting-puback", message: a });
    expect(journal.take()).toEqual({
      removeInflight: [4],
      putInflight: [{ packetId: 4, state: "awaiting-puback", message: a }],
    });
  });

  it("an inflight entry added and changed in one call is put once, in its final state", () => {
    const journal = new ChangeJournal();
    journal.inflightAdded({ packetId: 4, state: "awaiting-pubrec", message: a });
    journal.inflightAdded({ packetId: 5, state: "awaiting-puback", message: b });
    journal.inflightChanged({ packetId: 4, state: "awaiting-pubcomp" });
    expect(journal.take()).toEqual({
      putInflight: [
        { packetId: 4, state: "awaiting-pubcomp" },
        { packetId: 5, state: "awaiting-puback", message: b },
      ],
    });
  });

  it("an id added to awaiting-PUBREL and removed in one call is not added", () => {
    const journal = new ChangeJournal();
    journal.awaitingPubrelAdded(3);
    journal.awaitingPubrelAdded(4);
    journal.awaitingPubrelRemoved(3);
    expect(journal.take()).toEqual({ removeAwaitingPubrel: [3], addAwaitingPubrel: [4] });
  });

  it("take() resets: the next call starts empty, with the queue untouched", () => {
    const journal = new ChangeJournal();
    journal.queueAppended(a, 0);
    expect(journal.take()).toEqual({ enqueue: [a] });
    expect(journal.take()).toBeUndefined();
    journal.queueShifted(1); // the stored message now
    expect(journal.take()).toEqual({ dequeue: 1 });
  });
});
