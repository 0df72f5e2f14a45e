import { afterEach, describe, expect, it } from "vitest";
import { Harness, text } from "./helpers/harness.js";
import { publishAcked, publishPacket, subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("retained messages", () => {
  it("[MQTT-3.3.1-6] [MQTT-3.3.1-8] sends the retained message on SUBSCRIBE with RETAIN 1, after SUBACK", async () => {
    const { port, broker } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "status/door", "open", { retain: true });
    expect(broker.stats.retainedCount).toBe(1);
    const subscriber = await t.client(port, { clientId: "s" });
    subscriber.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "status/door", qos: 1 }],
    });
    await subscriber.expect("suback");
    const retained = await subscriber.expect("publish");
    expect(retained).toMatchObject({ topic: "status/door", retain: true, qos: 1 });
    expect(text(retained.payload)).toBe("open");
  });

  it("[MQTT-3.3.1-9] live messages to existing subscriptions have RETAIN 0, even retained ones", async () => {
    const { port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["status/#", 0]]);
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "status/window", "closed", { retain: true });
    const live = await subscriber.expect("publish");
    expect(live.retain).toBe(false);
  });

  it("[MQTT-3.3.1-5] a new retained message replaces the previous one of the topic", async () => {
    const { port } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "v", "1", { retain: true, packetId: 1 });
    await publishAcked(publisher, "v", "2", { retain: true, packetId: 2 });
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["v", 0]]);
    expect(text((await subscriber.expect("publish")).payload)).toBe("2");
    await subscriber.expectNothing(100);
  });

  it("[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained payload deletes, and is still delivered live", async () => {
    const { port, broker } = await t.broker();
    const watcher = await t.client(port, { clientId: "w" });
    await subscribe(watcher, [["gone", 0]]);
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "gone", "x", { retain: true, packetId: 1 });
    await publishAcked(publisher, "gone", "", { retain: true, packetId: 2 });
    expect(text((await watcher.expect("publish")).payload)).toBe("x");
    expect((await watcher.expect("publish")).payload.length).toBe(0);
    expect(broker.stats.retainedCount).toBe(0);
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["gone", 0]]);
    await subscriber.expectNothing(100);
  });

  it("delivers retained messages matching wildcard filters, not $-topics for # and +", async () => {
    const { port, broker } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "home/kitchen/temp", "21", { retain: true, packetId: 1 });
    await publishAcked(publisher, "home/hall/temp", "19", { retain: true, packetId: 2 });
    await publishAcked(publisher, "home/hall/light", "on", { retain: true, packetId: 3 });
    await broker.publish({
      topic: "$SYS/broker/version",
      payload: new Uint8Array(1),
      qos: 0,
      retain: true,
    });
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["home/+/temp", 0]]);
    const topics = [
      (await subscriber.expect("publish")).topic,
      (await subscriber.expect("publish")).topic,
    ];
    expect(topics.sort()).toEqual(["home/hall/temp", "home/kitchen/temp"]);
    const everything = await t.client(port, { clientId: "e" });
    await subscribe(everything, [["#", 0]]);
    const all: string[] = [];
    for (let index = 0; index < 3; index++) all.push((await everything.expect("publish")).topic);
    expect(all.sort()).toEqual(["home/hall/light", "home/hall/temp", "home/kitchen/temp"]);
    await everything.expectNothing(100);
  });

  it("[MQTT-3.8.4-3] a repeated SUBSCRIBE resends the retained messages", async () => {
    const { port } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "again", "r", { retain: true });
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["again", 0]], 1);
    expect((await subscriber.expect("publish")).retain).toBe(true);
    await subscribe(subscriber, [["again", 0]], 2);
    expect((await subscriber.expect("publish")).retain).toBe(true);
  });

  it("sends a retained message at min(stored QoS, granted QoS)", async () => {
    const { port } = await t.broker();
    const publisher = await t.client(port, { clientId: "p" });
    publisher.send(publishPacket("q", "two", 2, { packetId: 1, retain: true }));
    await publisher.expect("pubrec");
    publisher.send({ type: "pubrel", packetId: 1 });
    await publisher.expect("pubcomp");
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["q", 1]]);
    expect((await subscriber.expect("publish")).qos).toBe(1);
  });

  it("retainAvailable false: RETAIN is ignored", async () => {
    const { port, broker } = await t.broker({ retainAvailable: false });
    const publisher = await t.client(port, { clientId: "p" });
    await publishAcked(publisher, "r", "x", { retain: true });
    const subscriber = await t.client(port, { clientId: "s" });
    await subscribe(subscriber, [["r", 0]]);
    await subscriber.expectNothing(100);
    expect(broker.stats.retainedCount).toBe(0);
  });
});
