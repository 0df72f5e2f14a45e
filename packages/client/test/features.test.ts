/**
 * Retained messages, wills, persistent sessions, subscription refusal, message iterators and
 * per-filter handlers, against our broker over real sockets.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ReceivedMessage } from "../src/index.js";
import { Harness, nextMessages, rejection, text } from "./helpers/harness.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("retained messages", () => {
  it("[MQTT-3.3.1-6] a new subscriber gets the retained message with retain=1; a live one with retain=0", async () => {
    const { url } = await t.broker();
    const publisher = await t.connected(url);
    await publisher.publish("r/t", "kept", { qos: 1, retain: true });
    const late = await t.connected(url);
    const first = nextMessages(late, 1);
    await late.subscribe("r/#", { qos: 1 });
    expect((await first)[0]).toMatchObject({ topic: "r/t", payload: "kept", retain: true });
    const live = nextMessages(late, 1);
    await publisher.publish("r/t", "again", { qos: 1, retain: true });
    expect((await live)[0]).toMatchObject({ payload: "again", retain: false });
  });
});

describe("will", () => {
  it("[MQTT-3.1.2-8] the will is published when the connection is lost, not after end()", async () => {
    const { url } = await t.broker();
    const watcher = await t.connected(url);
    await watcher.subscribe("will/#", { qos: 1 });
    const received = nextMessages(watcher, 1);
    const graceful = await t.connected(url, {
      clientId: "graceful",
      will: { topic: "will/graceful", payload: "gone" },
    });
    await graceful.end();
    const dying = await t.connected(url, {
      clientId: "dying",
      will: { topic: "will/dying", payload: "lost", qos: 1, retain: false },
    });
    // force: the socket is destroyed without DISCONNECT, as a lost connection.
    await dying.end({ force: true });
    expect((await received)[0]).toMatchObject({ topic: "will/dying", payload: "lost", qos: 1 });
  });
});

describe("persistent session", () => {
  it("[MQTT-3.1.2-4] clean=false resumes: sessionPresent, subscriptions kept, QoS 1 sent while offline delivered", async () => {
    const { url } = await t.broker();
    const first = await t.connected(url, { clientId: "durable", clean: false });
    await first.subscribe("p/#", { qos: 1 });
    await first.end();
    const publisher = await t.connected(url);
    await publisher.publish("p/1", "while away", { qos: 1 });
    const second = t.client(url, { clientId: "durable", clean: false });
    const connack = new Promise((resolve) => second.once("connect", resolve));
    const received = nextMessages(second, 1);
    expect(await connack).toStrictEqual({ sessionPresent: true });
    expect((await received)[0]).toMatchObject({ topic: "p/1", payload: "while away", qos: 1 });
  });
});

describe("subscribe results", () => {
  it("[MQTT-3.9.3-1] a refused filter reports 0x80; rejectOnFailure rejects with MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED", async () => {
    const { url } = await t.broker({ limits: { maxTopicLevels: 2 } });
    const client = await t.connected(url);
    expect(await client.subscribe(["a/b", "a/b/c"], { qos: 1 })).toStrictEqual([
      { topicFilter: "a/b", returnCode: 1 },
      { topicFilter: "a/b/c", returnCode: 0x80 },
    ]);
    const error = await rejection(client.subscribe("x/y/z", { rejectOnFailure: true }));
    expect(error).toMatchObject({ code: "MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED", returnCodes: [0x80] });
  });

  it("unsubscribe stops delivery", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url);
    await client.subscribe("u/1");
    await client.subscribe("u/2");
    await client.unsubscribe("u/1");
    const received = nextMessages(client, 1);
    await client.publish("u/1", "no", { qos: 1 });
    await client.publish("u/2", "yes", { qos: 1 });
    expect((await received)[0]?.topic).toBe("u/2");
  });
});

describe("messages() and handle()", () => {
  it("messages(filter) yields matching messages in order and ends on end()", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url);
    await client.subscribe("s/#", { qos: 1 });
    const consumed: string[] = [];
    const loop = (async () => {
      for await (const message of client.messages("s/+/temp")) consumed.push(text(message.payload));
    })();
    for (const [topic, value] of [
      ["s/a/temp", "1"],
      ["s/a/hum", "x"],
      ["s/b/temp", "2"],
    ] as const) {
      await client.publish(topic, value, { qos: 1 });
    }
    const all = client.messages();
    await client.publish("s/c/temp", "3", { qos: 1 });
    expect((await all.next()).value?.topic).toBe("s/c/temp");
    await client.end();
    await loop;
    expect(consumed).toStrictEqual(["1", "2", "3"]);
  });

  it("a consumer bufferSize behind loses the oldest messages, not the newest", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url);
    await client.subscribe("b/#", { qos: 1 });
    const iterator = client.messages("b/#", { bufferSize: 2 });
    const delivered = nextMessages(client, 3);
    for (const value of ["1", "2", "3"]) await client.publish("b/x", value, { qos: 1 });
    await delivered;
    const next = async () => text(((await iterator.next()).value as ReceivedMessage).payload);
    expect(await next()).toBe("2");
    expect(await next()).toBe("3");
  });

  it("handle(filter) dispatches with MQTT wildcard rules ($-topics not matched by #); its return removes it", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url);
    await client.subscribe(["h/#", "$x/#"]);
    const seen: string[] = [];
    const removeAll = client.handle("#", (message) => seen.push(`# ${message.topic}`));
    client.handle("h/+/b", (message) => seen.push(`+ ${message.topic}`));
    client.handle("$x/#", (message) => seen.push(`$ ${message.topic}`));
    const received = nextMessages(client, 3);
    await client.publish("h/a/b", "1", { qos: 1 });
    await client.publish("h/c", "2", { qos: 1 });
    await client.publish("$x/y", "3", { qos: 1 });
    await received;
    expect(seen).toStrictEqual(["# h/a/b", "+ h/a/b", "# h/c", "$ $x/y"]);
    removeAll();
    const more = nextMessages(client, 1);
    await client.publish("h/a/b", "4");
    await more;
    expect(seen.at(-1)).toBe("+ h/a/b");
  });
});
