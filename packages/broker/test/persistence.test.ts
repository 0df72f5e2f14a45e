/**
 * Durability of persistent sessions: the write-ahead rule (no packet before the commit it
 * depends on), QoS 2 ids committed with the routing writes, restart after close() and after
 * a crash, fail-stop on a failed write, and the expiry sweep. Stores: memory stores behind a
 * group-commit front the test controls (helpers/stores.ts).
 */
import type { Packet, PublishPacket } from "@ternmq/codec";
import { MemoryRetainedStore, MemorySessionStore, StoreError } from "@ternmq/session";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Broker } from "../src/index.js";
import { bytes, Harness, text } from "./helpers/harness.js";
import { publishAcked, publishPacket, subscribe } from "./helpers/packets.js";
import { connectRaw, type RawClient } from "./helpers/raw-client.js";
import { TestStores, type WriteRecord } from "./helpers/stores.js";

const t = new Harness();
afterEach(async () => {
  vi.useRealTimers();
  await t.cleanup();
});

async function goOffline(client: RawClient): Promise<void> {
  client.send({ type: "disconnect" });
  await client.waitClosed();
}

/** Nothing reaches any of `clients` for a while (the commit they wait for is held). */
async function nothingArrives(...clients: RawClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.expectNothing(150)));
}

function publishOf(packet: Packet): PublishPacket {
  if (packet.type !== "publish") throw new Error(`expected publish, got ${packet.type}`);
  return packet;
}

describe("write-ahead: a persistent session's packets wait for their commit", () => {
  it("CONNACK of a persistent session after its record is committed; a clean one at once", async () => {
    const stores = new TestStores();
    const { port } = await t.broker({ persistence: stores });
    stores.mode = "hold";
    const clean = await t.raw(port);
    expect((await clean.connect({ clientId: "clean" })).reasonCode).toBe(0);
    const persistent = await t.raw(port);
    persistent.send({
      type: "connect",
      protocolVersion: 4,
      clean: false,
      keepalive: 0,
      clientId: "kept",
    });
    await nothingArrives(persistent);
    stores.release();
    expect(await persistent.expect("connack")).toMatchObject({ reasonCode: 0 });
    expect(await stores.innerSessions.load("kept")).toBeDefined();
  });

  it("SUBACK and UNSUBACK after the subscription list is committed", async () => {
    const stores = new TestStores();
    const { port } = await t.broker({ persistence: stores });
    const client = await t.client(port, { clientId: "s", clean: false });
    stores.mode = "hold";
    client.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a", qos: 1 }] });
    await nothingArrives(client);
    stores.release();
    expect(await client.expect("suback")).toMatchObject({ packetId: 1, reasonCodes: [1] });
    expect((await stores.innerSessions.load("s"))?.subscriptions).toEqual([
      { topicFilter: "a", qos: 1 },
    ]);
    stores.mode = "hold";
    client.send({ type: "unsubscribe", packetId: 2, topicFilters: ["a"] });
    await nothingArrives(client);
    stores.release();
    expect(await client.expect("unsuback")).toMatchObject({ packetId: 2 });
    expect((await stores.innerSessions.load("s"))?.subscriptions).toEqual([]);
  });

  it("PUBLISH to a persistent subscriber and PUBACK/PUBREC to the publisher after the commit, then PUBREL", async () => {
    const stores = new TestStores();
    const { port } = await t.broker({ persistence: stores });
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["q/#", 2]]);
    const publisher = await t.client(port, { clientId: "p" });

    stores.mode = "hold";
    publisher.send(publishPacket("q/1", "one", 1, { packetId: 1 }));
    publisher.send(publishPacket("q/2", "two", 2, { packetId: 2 }));
    await nothingArrives(publisher, subscriber);
    stores.release();
    expect(await publisher.expect("puback")).toMatchObject({ packetId: 1 });
    expect(await publisher.expect("pubrec")).toMatchObject({ packetId: 2 });
    const first = await subscriber.expect("publish");
    const second = await subscriber.expect("publish");
    expect([text(first.payload), first.qos, text(second.payload), second.qos]).toEqual([
      "one",
      1,
      "two",
      2,
    ]);

    // The publisher is a clean session: its PUBCOMP depends on no write and is not held.
    stores.mode = "hold";
    publisher.send({ type: "pubrel", packetId: 2 });
    expect(await publisher.expect("pubcomp")).toMatchObject({ packetId: 2 });

    // PUBREL to the subscriber after its awaiting-PUBCOMP state is committed.
    subscriber.send({ type: "pubrec", packetId: second.packetId ?? 0 });
    await nothingArrives(subscriber);
    stores.release();
    expect(await subscriber.expect("pubrel")).toMatchObject({ packetId: second.packetId });
  });

  it("a later packet never overtakes a held one (QoS 0 behind a held QoS 1)", async () => {
    const stores = new TestStores();
    const { port, broker } = await t.broker({ persistence: stores });
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["o", 1]]);
    stores.mode = "hold";
    void broker.publish({ topic: "o", payload: bytes("first"), qos: 1, retain: false });
    await broker.publish({ topic: "o", payload: bytes("second"), qos: 0, retain: false });
    await nothingArrives(subscriber);
    stores.release();
    const received = [await subscriber.expect("publish"), await subscriber.expect("publish")];
    expect(received.map((packet) => text(packet.payload))).toEqual(["first", "second"]);
  });

  it("QoS 2 from a persistent publisher: PUBREC after the commit, PUBCOMP after the next", async () => {
    const stores = new TestStores();
    const { port } = await t.broker({ persistence: stores });
    const publisher = await t.client(port, { clientId: "p", clean: false });
    stores.mode = "hold";
    publisher.send(publishPacket("x", "exactly once", 2, { packetId: 5 }));
    await nothingArrives(publisher);
    stores.release();
    expect(await publisher.expect("pubrec")).toMatchObject({ packetId: 5 });
    expect((await stores.innerSessions.load("p"))?.snapshot.inbound.awaitingPubrel).toEqual([5]);
    stores.mode = "hold";
    publisher.send({ type: "pubrel", packetId: 5 });
    await nothingArrives(publisher);
    stores.release();
    expect(await publisher.expect("pubcomp")).toMatchObject({ packetId: 5 });
    expect((await stores.innerSessions.load("p"))?.snapshot.inbound.awaitingPubrel).toEqual([]);
  });
});

describe("group commit: a QoS 2 id is committed with the routing writes", () => {
  const isAwaitingPubrel =
    (clientId: string, packetId: number) =>
    (record: WriteRecord): boolean =>
      record.store === "sessions" &&
      record.op === "update" &&
      record.clientId === clientId &&
      record.changes.addAwaitingPubrel?.includes(packetId) === true;

  for (const hook of ["synchronous", "asynchronous"] as const) {
    it(`journals the publisher's awaiting-PUBREL id in the batch of the routing writes (${hook} authorizePublish)`, async () => {
      const stores = new TestStores();
      const authorizePublish =
        hook === "synchronous" ? () => true : () => Promise.resolve(true as boolean);
      const { port } = await t.broker({ persistence: stores, hooks: { authorizePublish } });
      const online = await t.client(port, { clientId: "online", clean: false });
      await subscribe(online, [["b/#", 2]]);
      const offline = await t.client(port, { clientId: "offline", clean: false });
      await subscribe(offline, [["b/#", 1]]);
      await goOffline(offline);
      const publisher = await t.client(port, { clientId: "p", clean: false });

      publisher.send(publishPacket("b/x", "payload", 2, { packetId: 7, retain: true }));
      expect(await publisher.expect("pubrec")).toMatchObject({ packetId: 7 });
      const batches = stores.batchesWith(isAwaitingPubrel("p", 7));
      expect(batches).toHaveLength(1);
      const batch = batches[0] ?? [];
      const updateOf = (clientId: string) =>
        batch.find(
          (record) =>
            record.store === "sessions" && record.op === "update" && record.clientId === clientId,
        );
      expect(updateOf("online")).toMatchObject({
        changes: { putInflight: [{ message: { topic: "b/x", qos: 2 } }] },
      });
      expect(updateOf("offline")).toMatchObject({
        changes: { enqueue: [{ topic: "b/x", qos: 1 }] },
      });
      expect(batch).toContainEqual({ store: "retained", op: "set", topic: "b/x" });
    });
  }
});

describe("a discarded session writes nothing more", () => {
  it("an async authorizePublish answering after a clean reconnect discarded the publisher's session does not stop the broker", async () => {
    const stores = new TestStores();
    let allow: (ok: boolean) => void = () => undefined;
    const authorizePublish = (_client: unknown, topic: string) =>
      topic === "after"
        ? true
        : new Promise<boolean>((resolve) => {
            allow = resolve;
          });
    const { broker, port } = await t.broker({ persistence: stores, hooks: { authorizePublish } });
    const failures: string[] = [];
    broker.on("store-failed", (error) => failures.push(error.code));
    const first = await t.client(port, { clientId: "p", clean: false });
    first.send(publishPacket("d/x", "late", 2, { packetId: 3 }));
    await first.expectNothing(50); // the hook holds the message
    const second = await t.client(port, { clientId: "p", clean: true }); // takeover + discard
    await first.waitClosed();
    allow(true);
    // The broker still serves: a round trip through a persistent session commits.
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["after", 1]]);
    second.send(publishPacket("after", "ok", 1, { packetId: 1 }));
    expect(await second.expect("puback")).toMatchObject({ packetId: 1 });
    expect(text(publishOf(await subscriber.expect("publish")).payload)).toBe("ok");
    expect(failures).toEqual([]);
    expect(broker.state).toBe("running");
  });
});

describe("restart on the same stores", () => {
  for (const stop of ["close", "crash"] as const) {
    it(`restores every piece of state after ${stop === "close" ? "close()" : "a crash (only committed writes)"}`, async () => {
      const stores = new TestStores();
      const first = await t.broker({ persistence: stores });
      const subscriber = await t.client(first.port, { clientId: "s", clean: false });
      await subscribe(subscriber, [
        ["a/#", 2],
        ["b", 1],
      ]);
      const publisher = await t.client(first.port, { clientId: "p", clean: false });
      // Inflight QoS 1, never acknowledged.
      await publishAcked(publisher, "a/1", "unacked", { packetId: 1 });
      const unacked = await subscriber.expect("publish");
      // QoS 2 awaiting PUBCOMP: PUBREC sent, PUBREL received, no PUBCOMP.
      publisher.send(publishPacket("a/2", "released", 2, { packetId: 2 }));
      await publisher.expect("pubrec");
      publisher.send({ type: "pubrel", packetId: 2 });
      await publisher.expect("pubcomp");
      const released = await subscriber.expect("publish");
      subscriber.send({ type: "pubrec", packetId: released.packetId ?? 0 });
      await subscriber.expect("pubrel");
      // The publisher's QoS 2 id 9 awaiting PUBREL (PUBREC received, PUBREL not sent).
      publisher.send(publishPacket("a/3", "once", 2, { packetId: 9 }));
      await publisher.expect("pubrec");
      const once = await subscriber.expect("publish");
      // Queued while the subscriber is offline, and a retained message.
      subscriber.destroy();
      await subscriber.waitClosed();
      await publishAcked(publisher, "b", "queued", { packetId: 3 });
      await publishAcked(publisher, "r/1", "retained", { packetId: 4, retain: true });

      if (stop === "close") await first.broker.close();
      else stores.crash();

      const second = await t.broker({ persistence: stores.reopen() });
      await second.broker.ready;
      expect(second.broker.stats).toMatchObject({
        clientsDisconnected: 2,
        subscriptionsCount: 2,
        retainedCount: 1,
      });
      const back = await t.raw(second.port);
      expect((await back.connect({ clientId: "s", clean: false })).sessionPresent).toBe(true);
      // [MQTT-4.4.0-1] unacknowledged PUBLISH (DUP 1) and PUBREL resent in the original order.
      const resent = [await back.next(), await back.next(), await back.next()];
      expect(resent[0]).toMatchObject({ type: "publish", dup: true, packetId: unacked.packetId });
      expect(resent[1]).toMatchObject({ type: "pubrel", packetId: released.packetId });
      expect(resent[2]).toMatchObject({ type: "publish", dup: true, packetId: once.packetId });
      const queued = await back.expect("publish");
      expect(text(queued.payload)).toBe("queued");
      // The packet id cursor survived: the queued message takes the next id.
      expect(queued.packetId).toBe((once.packetId ?? 0) + 1);

      // The publisher resends PUBLISH (DUP) for id 9: PUBREC again, no second delivery.
      const publisherBack = await t.raw(second.port);
      const connack = await publisherBack.connect({ clientId: "p", clean: false });
      expect(connack.sessionPresent).toBe(true);
      publisherBack.send({ ...publishPacket("a/3", "once", 2, { packetId: 9 }), dup: true });
      expect(await publisherBack.expect("pubrec")).toMatchObject({ packetId: 9 });
      publisherBack.send({ type: "pubrel", packetId: 9 });
      expect(await publisherBack.expect("pubcomp")).toMatchObject({ packetId: 9 });
      await back.expectNothing(100);

      // Subscriptions and the retained message are there.
      await publishAcked(publisherBack, "a/4", "live", { packetId: 10 });
      expect(text(publishOf(await back.next()).payload)).toBe("live");
      const reader = await t.client(second.port, { clientId: "reader" });
      await subscribe(reader, [["r/#", 1]]);
      expect(text((await reader.expect("publish")).payload)).toBe("retained");
    });
  }
});

describe("fail-stop on a failed store write", () => {
  it("emits store-failed, acknowledges nothing more, publishes no will and closes the broker", async () => {
    const stores = new TestStores();
    const { broker, port } = await t.broker({ persistence: stores });
    const failures: string[] = [];
    broker.on("store-failed", (error) => failures.push(error.code));
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["f", 1]]);
    const watcher = await t.client(port, { clientId: "w" });
    await subscribe(watcher, [["will/#", 0]]);
    const publisher = await t.client(port, {
      clientId: "p",
      will: { topic: "will/p", payload: bytes("gone"), qos: 0, retain: false },
    });

    stores.mode = "fail";
    publisher.send(publishPacket("f", "lost", 1, { packetId: 1 }));
    await Promise.all([publisher.waitClosed(), subscriber.waitClosed(), watcher.waitClosed()]);
    await broker.close();
    expect(failures).toEqual(["MQTT_ERR_STORE_IO"]);
    expect(broker.state).toBe("closed");
    // No PUBACK, no PUBLISH to the persistent subscriber, no will.
    await expect(publisher.next()).rejects.toBeInstanceOf(Error);
    await expect(subscriber.next()).rejects.toBeInstanceOf(Error);
    await expect(watcher.next()).rejects.toBeInstanceOf(Error);
    await expect(connectRaw(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    // Nothing of the failed batch was applied.
    expect((await stores.innerSessions.load("s"))?.snapshot.outbound.inflight).toEqual([]);
  });

  it("ready rejects with the store's error when the stored sessions cannot be read", async () => {
    const sessions = new MemorySessionStore();
    const corrupt = new StoreError("MQTT_ERR_STORE_CORRUPT", "test: unreadable");
    sessions.clientIds = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(corrupt) }),
    });
    const broker = new Broker({
      logger: { level: "silent" },
      sysInterval: 0,
      persistence: { sessions, retained: new MemoryRetainedStore() },
    });
    await expect(broker.ready).rejects.toMatchObject({ code: "MQTT_ERR_STORE_CORRUPT" });
    await broker.close();
    expect(broker.state).toBe("closed");
    await expect(broker.listen({ port: 0, host: "127.0.0.1" })).rejects.toMatchObject({
      code: "MQTT_ERR_BROKER_CLOSED",
    });
  });
});

describe("housekeeping: maxSessionAgeSeconds", () => {
  it("deletes, at start, offline sessions disconnected longer ago than the maximum age", async () => {
    let clock = 1_000_000;
    const now = (): number => clock;
    const stores = new TestStores();
    const first = await t.broker({ persistence: stores, now });
    const old = await t.client(first.port, { clientId: "old", clean: false });
    await subscribe(old, [["x", 1]]);
    await goOffline(old);
    clock += 30_000;
    const recent = await t.client(first.port, { clientId: "recent", clean: false });
    await goOffline(recent);
    await first.broker.close();

    clock += 45_000; // "old" offline for 75 s, "recent" for 45 s
    const second = await t.broker({
      persistence: stores.reopen(),
      now,
      maxSessionAgeSeconds: 60,
    });
    await second.broker.ready;
    expect(second.broker.stats).toMatchObject({ clientsDisconnected: 1, subscriptionsCount: 0 });
    await second.broker.close();
    expect(await stores.innerSessions.load("old")).toBeUndefined();
    expect(await stores.innerSessions.load("recent")).toBeDefined();
  });

  it("sweeps periodically; a connected session never expires; off by default", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let clock = 1_000_000;
    const now = (): number => clock;
    const stores = new TestStores();
    const { broker, port } = await t.broker({
      persistence: stores,
      now,
      maxSessionAgeSeconds: 60,
    });
    await broker.ready;
    const leaving = await t.client(port, { clientId: "leaving", clean: false });
    await goOffline(leaving);
    await t.client(port, { clientId: "staying", clean: false });
    const unlimited = await t.broker({ persistence: new TestStores(), now });
    await goOffline(await t.client(unlimited.port, { clientId: "kept", clean: false }));

    clock += 59_000;
    vi.advanceTimersByTime(60_000);
    expect(broker.stats.clientsTotal).toBe(2);
    clock += 2_000;
    vi.advanceTimersByTime(60_000);
    expect(broker.stats).toMatchObject({ clientsTotal: 1, clientsConnected: 1 });
    await broker.close();
    expect(await stores.innerSessions.load("leaving")).toBeUndefined();
    expect(await stores.innerSessions.load("staying")).toBeDefined();
    expect(unlimited.broker.stats.clientsDisconnected).toBe(1);
  });
});
