import { afterEach, describe, expect, it } from "vitest";
import { Harness, text } from "./helpers/harness.js";
import { publishAcked, publishPacket, subscribe } from "./helpers/packets.js";
import type { RawClient } from "./helpers/raw-client.js";

const t = new Harness();
afterEach(() => t.cleanup());

async function goOffline(client: RawClient): Promise<void> {
  client.send({ type: "disconnect" });
  await client.waitClosed();
}

describe("persistent sessions (clean session 0)", () => {
  it("[MQTT-3.1.2-4] keeps subscriptions and queues QoS 1/2 (not QoS 0) while offline, delivered in order", async () => {
    const { port, broker } = await t.broker();
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["q/#", 2]]);
    await goOffline(subscriber);
    expect(broker.stats.clientsDisconnected).toBe(1);
    expect(broker.stats.clientsTotal).toBe(1);

    const publisher = await t.client(port, { clientId: "p" });
    for (let index = 1; index <= 5; index++)
      await publishAcked(publisher, "q/a", String(index), { packetId: index });
    publisher.send(publishPacket("q/a", "qos0-not-queued"));
    publisher.send(publishPacket("q/b", "six", 2, { packetId: 6 }));
    await publisher.expect("pubrec");

    const back = await t.raw(port);
    expect((await back.connect({ clientId: "s", clean: false })).sessionPresent).toBe(true);
    const received: string[] = [];
    for (let index = 0; index < 6; index++) {
      const packet = await back.expect("publish");
      received.push(text(packet.payload));
      if (packet.qos === 1) back.send({ type: "puback", packetId: packet.packetId ?? 0 });
      else back.send({ type: "pubrec", packetId: packet.packetId ?? 0 });
    }
    expect(received).toEqual(["1", "2", "3", "4", "5", "six"]);
    await back.expect("pubrel");
  });

  it("[MQTT-4.4.0-1] resends unacknowledged messages with DUP 1 on reconnect", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["r", 1]]);
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "r", "unacked");
    const first = await subscriber.expect("publish");
    expect(first.dup).toBe(false);
    subscriber.destroy(); // no PUBACK
    await subscriber.waitClosed();
    const back = await t.raw(port);
    await back.connect({ clientId: "s", clean: false });
    const resent = await back.expect("publish");
    expect(resent).toMatchObject({ dup: true, packetId: first.packetId, topic: "r" });
  });

  it("drops messages beyond maxQueuedMessages and counts them", async () => {
    const { port, broker } = await t.broker({ limits: { maxQueuedMessages: 3 } });
    const drops: string[] = [];
    broker.on("dropped", (clientId, reason, count) => drops.push(`${clientId}:${reason}:${count}`));
    const subscriber = await t.client(port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["full", 1]]);
    await goOffline(subscriber);
    const publisher = await t.client(port, { clientId: "p" });
    for (let index = 1; index <= 5; index++)
      await publishAcked(publisher, "full", String(index), { packetId: index });
    expect(broker.stats.messagesDropped).toBe(2);
    expect(drops).toEqual(["s:queue-full:1", "s:queue-full:1"]);
    const back = await t.raw(port);
    await back.connect({ clientId: "s", clean: false });
    const received: string[] = [];
    for (let index = 0; index < 3; index++)
      received.push(text((await back.expect("publish")).payload));
    expect(received).toEqual(["1", "2", "3"]); // the engine's default policy rejects the newest
    await back.expectNothing(100);
  });

  it("[MQTT-3.1.2-6] clean session 1 discards the session at connect and at disconnect", async () => {
    const { port, broker } = await t.broker();
    const persistent = await t.client(port, { clientId: "s", clean: false });
    await subscribe(persistent, [["x", 1]]);
    await goOffline(persistent);
    const clean = await t.client(port, { clientId: "s", clean: true });
    expect(broker.stats.subscriptionsCount).toBe(0);
    await subscribe(clean, [["y", 1]]);
    await goOffline(clean);
    expect(broker.stats.subscriptionsCount).toBe(0);
    expect(broker.stats.clientsTotal).toBe(0);
    const again = await t.raw(port);
    expect((await again.connect({ clientId: "s", clean: false })).sessionPresent).toBe(false);
  });

  it("limits outbound QoS 1 messages in flight to maxInflight; the rest follow acknowledgements", async () => {
    const { port } = await t.broker({ limits: { maxInflight: 2 } });
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["w", 1]]);
    const publisher = await t.client(port, { clientId: "p" });
    for (let index = 1; index <= 4; index++)
      await publishAcked(publisher, "w", String(index), { packetId: index });
    const first = await subscriber.expect("publish");
    const second = await subscriber.expect("publish");
    await subscriber.expectNothing(100);
    subscriber.send({ type: "puback", packetId: first.packetId ?? 0 });
    expect(text((await subscriber.expect("publish")).payload)).toBe("3");
    subscriber.send({ type: "puback", packetId: second.packetId ?? 0 });
    expect(text((await subscriber.expect("publish")).payload)).toBe("4");
  });

  it("writes persistent sessions to the session store", async () => {
    const { MemoryRetainedStore, MemorySessionStore } = await import("@ternmq/session");
    const sessions = new MemorySessionStore();
    const { port } = await t.broker({
      persistence: { sessions, retained: new MemoryRetainedStore() },
    });
    const client = await t.client(port, { clientId: "stored", clean: false });
    await subscribe(client, [["a/+", 1]]);
    await goOffline(client);
    const record = await sessions.load("stored");
    expect(record?.subscriptions).toEqual([{ topicFilter: "a/+", qos: 1 }]);
    expect(record?.disconnectedAt).toBeTypeOf("number");
  });
});

/** The same store for a second broker: the first broker's close() must not close it. */
function keptOpen<T extends { close(): Promise<void> }>(store: T): T {
  return new Proxy(store, {
    get(target, key) {
      if (key === "close") return async () => {};
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("restart with the same stores", () => {
  it("restores persistent sessions (subscriptions, queued messages) and the retained count", async () => {
    const { MemoryRetainedStore, MemorySessionStore } = await import("@ternmq/session");
    const persistence = {
      sessions: keptOpen(new MemorySessionStore()),
      retained: keptOpen(new MemoryRetainedStore()),
    };
    const first = await t.broker({ persistence });
    const subscriber = await t.client(first.port, { clientId: "s", clean: false });
    await subscribe(subscriber, [["r/#", 1]]);
    await goOffline(subscriber);
    const publisher = await t.client(first.port, { clientId: "p" });
    await publishAcked(publisher, "r/1", "queued", { packetId: 1 });
    await publishAcked(publisher, "kept", "retained", { packetId: 2, retain: true });
    await first.broker.close();

    const second = await t.broker({ persistence });
    const publisher2 = await t.client(second.port, { clientId: "p" });
    await publishAcked(publisher2, "r/2", "while offline", { packetId: 1 });
    expect(second.broker.stats).toMatchObject({
      clientsDisconnected: 1,
      retainedCount: 1,
      subscriptionsCount: 1,
    });
    const back = await t.raw(second.port);
    expect((await back.connect({ clientId: "s", clean: false })).sessionPresent).toBe(true);
    expect(text((await back.expect("publish")).payload)).toBe("queued");
    expect(text((await back.expect("publish")).payload)).toBe("while offline");
  });
});

describe("stats and events", () => {
  it("keeps client gauges, the maximum and byte counters", async () => {
    const { port, broker } = await t.broker();
    const events: string[] = [];
    broker.on("client-connected", (client, present) =>
      events.push(`+${client.clientId}:${present}`),
    );
    broker.on("client-disconnected", (client, reason) =>
      events.push(`-${client.clientId}:${reason}`),
    );
    const a = await t.client(port, { clientId: "a" });
    const b = await t.client(port, { clientId: "b", clean: false });
    expect(broker.stats.clientsConnected).toBe(2);
    await goOffline(a);
    await goOffline(b);
    expect(broker.stats).toMatchObject({
      clientsConnected: 0,
      clientsDisconnected: 1,
      clientsTotal: 1,
      clientsMaximum: 2,
    });
    expect(broker.stats.bytesReceived).toBeGreaterThan(0);
    expect(broker.stats.bytesSent).toBe(8); // two CONNACKs
    expect(events).toEqual(["+a:false", "+b:false", "-a:disconnect", "-b:disconnect"]);
  });
});
