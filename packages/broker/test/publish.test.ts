import type { PublishPacket, QoS } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { bytes, Harness, text } from "./helpers/harness.js";
import type { RawClient } from "./helpers/raw-client.js";

const t = new Harness();
afterEach(() => t.cleanup());

async function subscribe(
  client: RawClient,
  topicFilter: string,
  qos: QoS,
  packetId = 1,
): Promise<number[]> {
  client.send({ type: "subscribe", packetId, subscriptions: [{ topicFilter, qos }] });
  const suback = await client.expect("suback");
  expect(suback.packetId).toBe(packetId);
  return [...suback.reasonCodes];
}

function publish(
  topic: string,
  payload: string,
  qos: QoS,
  packetId?: number,
  retain = false,
): PublishPacket {
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: bytes(payload),
    qos,
    retain,
    dup: false,
  };
  if (qos > 0) packet.packetId = packetId ?? 1;
  return packet;
}

describe("PUBLISH", () => {
  it("QoS 0 in and out: delivered once, no acknowledgement", async () => {
    const { port, broker } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "a/b", 0);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("a/b", "hello", 0));
    const received = await subscriber.expect("publish");
    expect(received).toMatchObject({ topic: "a/b", qos: 0, retain: false, dup: false });
    expect(text(received.payload)).toBe("hello");
    await publisher.expectNothing(100);
    expect(broker.stats.messagesReceived).toBe(1);
    expect(broker.stats.messagesSent).toBe(1);
  });

  it("[MQTT-4.3.2-2] QoS 1 in: PUBACK with the packet id; QoS 1 out: resent until PUBACK", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub", clean: false });
    await subscribe(subscriber, "q1", 1);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("q1", "one", 1, 7));
    const puback = await publisher.expect("puback");
    expect(puback.packetId).toBe(7);
    const received = await subscriber.expect("publish");
    expect(received.qos).toBe(1);
    expect(received.packetId).toBeGreaterThan(0);
    subscriber.send({ type: "puback", packetId: received.packetId ?? 0 });
    await subscriber.expectNothing(100);
  });

  it("[MQTT-4.3.3-2] QoS 2 in: PUBREC, PUBREL, PUBCOMP; delivered once even when resent", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "q2", 2);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("q2", "two", 2, 9));
    expect((await publisher.expect("pubrec")).packetId).toBe(9);
    publisher.send({ ...publish("q2", "two", 2, 9), dup: true }); // duplicate before PUBREL
    expect((await publisher.expect("pubrec")).packetId).toBe(9);
    publisher.send({ type: "pubrel", packetId: 9 });
    expect((await publisher.expect("pubcomp")).packetId).toBe(9);

    const received = await subscriber.expect("publish");
    expect(received.qos).toBe(2);
    const id = received.packetId ?? 0;
    subscriber.send({ type: "pubrec", packetId: id });
    expect((await subscriber.expect("pubrel")).packetId).toBe(id);
    subscriber.send({ type: "pubcomp", packetId: id });
    await subscriber.expectNothing(150); // no second copy
  });

  it("[MQTT-3.8.4-6] delivers at min(publish QoS, granted QoS)", async () => {
    const { port } = await t.broker();
    const low = await t.client(port, { clientId: "low" });
    await subscribe(low, "m", 0);
    const high = await t.client(port, { clientId: "high" });
    await subscribe(high, "m", 2);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("m", "x", 1, 3));
    await publisher.expect("puback");
    expect((await low.expect("publish")).qos).toBe(0);
    expect((await high.expect("publish")).qos).toBe(1);
  });

  it("[MQTT-3.3.5-1] overlapping subscriptions of one client: one delivery at their maximum QoS", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "home/+/temp", 0, 1);
    await subscribe(subscriber, "home/#", 2, 2);
    await subscribe(subscriber, "home/kitchen/temp", 1, 3);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("home/kitchen/temp", "21", 2, 4));
    await publisher.expect("pubrec");
    const received = await subscriber.expect("publish");
    expect(received.qos).toBe(2);
    await subscriber.expectNothing(150);
  });

  it("[MQTT-3.3.2-2] closes a connection that publishes to a topic with wildcards", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("a/+/b", "x", 0));
    await publisher.waitClosed();
    expect(reasons).toEqual(["protocol-error"]);
  });

  it("acknowledges a client's PUBLISH to $SYS as its QoS requires and drops it", async () => {
    const { port } = await t.broker();
    const watcher = await t.client(port, { clientId: "watch" });
    await subscribe(watcher, "$SYS/#", 0);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("$SYS/broker/uptime", "forged", 1, 5));
    expect((await publisher.expect("puback")).packetId).toBe(5);
    publisher.send(publish("$SYS/x", "forged", 2, 6));
    expect((await publisher.expect("pubrec")).packetId).toBe(6);
    await watcher.expectNothing(150);
  });

  it("allows other $-topics", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "$app/events", 0);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("$app/events", "ok", 0));
    expect(text((await subscriber.expect("publish")).payload)).toBe("ok");
  });

  it("authorizePublish false: acknowledged, not delivered", async () => {
    const { port } = await t.broker({
      hooks: { authorizePublish: async (_client, topic) => !topic.startsWith("secret/") },
    });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "#", 0);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("secret/plans", "x", 1, 1));
    expect((await publisher.expect("puback")).packetId).toBe(1);
    publisher.send(publish("public/news", "y", 1, 2));
    expect((await publisher.expect("puback")).packetId).toBe(2);
    const received = await subscriber.expect("publish");
    expect(received.topic).toBe("public/news");
    await subscriber.expectNothing(100);
  });

  it("[MQTT-4.6.0-6] keeps the order of a client's messages, with an async authorizePublish hook", async () => {
    let calls = 0;
    const { port } = await t.broker({
      hooks: {
        authorizePublish: () => {
          calls++;
          // Alternate slow and immediate answers: order must still hold.
          return calls % 2 === 0
            ? true
            : new Promise((resolve) => setTimeout(() => resolve(true), 5));
        },
      },
    });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "seq", 1);
    const publisher = await t.client(port, { clientId: "pub" });
    for (let index = 1; index <= 20; index++)
      publisher.send(publish("seq", String(index), 1, index));
    const acks: number[] = [];
    for (let index = 1; index <= 20; index++)
      acks.push((await publisher.expect("puback")).packetId);
    expect(acks).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    const received: string[] = [];
    for (let index = 1; index <= 20; index++) {
      const packet = await subscriber.expect("publish");
      received.push(text(packet.payload));
      subscriber.send({ type: "puback", packetId: packet.packetId ?? 0 });
    }
    expect(received).toEqual(Array.from({ length: 20 }, (_, index) => String(index + 1)));
  });

  it("still answers packets that arrived before the client's FIN, then closes", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("last/words", "bye", 1, 3));
    publisher.socket.end();
    expect((await publisher.expect("puback")).packetId).toBe(3);
    await publisher.waitClosed();
    expect(reasons).toEqual(["closed"]);
  });

  it("Broker.publish delivers as the broker and emits published without a client", async () => {
    const { port, broker } = await t.broker();
    const events: (string | undefined)[] = [];
    broker.on("published", (client, message) =>
      events.push(`${client?.clientId}:${message.topic}`),
    );
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, "news", 1);
    await broker.publish({ topic: "news", payload: bytes("from broker"), qos: 1, retain: false });
    const received = await subscriber.expect("publish");
    expect(text(received.payload)).toBe("from broker");
    expect(events).toEqual(["undefined:news"]);
  });

  it("shares one payload among many subscribers and counts every PUBLISH sent", async () => {
    const { port, broker } = await t.broker();
    const subscribers: RawClient[] = [];
    for (let index = 0; index < 5; index++) {
      const subscriber = await t.client(port, { clientId: `s${index}` });
      await subscribe(subscriber, "fan/out", (index % 3) as QoS);
      subscribers.push(subscriber);
    }
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publish("fan/out", "payload", 2, 1));
    await publisher.expect("pubrec");
    for (const [index, subscriber] of subscribers.entries()) {
      const received = await subscriber.expect("publish");
      expect(received.qos).toBe(index % 3);
      expect(text(received.payload)).toBe("payload");
    }
    expect(broker.stats.messagesSent).toBe(5);
  });
});
