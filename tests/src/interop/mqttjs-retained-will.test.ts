/**
 * Retained messages and wills seen by MQTT.js clients through a TernMQ broker.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, withTimeout } from "../helpers/with-timeout.js";

/** How long "nothing arrives" is watched for after the last event that could have caused it. */
const quietPeriodMs = 300;

let running: RunningBroker;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0 });
});

afterEach(async () => {
  await clients.closeAll();
  await running.close();
});

describe("MQTT.js retained messages", () => {
  it("[MQTT-3.3.1-6] [MQTT-3.3.1-8] retained messages reach a new wildcard subscriber with RETAIN set", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("retained/a", "A", { qos: 1, retain: true });
    await publisher.client.publishAsync("retained/b/c", "BC", { qos: 2, retain: true });
    await publisher.client.publishAsync("retained/not", "plain", { qos: 1, retain: false });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("retained/#", { qos: 2 });
    const messages = await subscriber.waitForMessages(2);
    await sleep(quietPeriodMs);
    const byTopic = [...messages].sort((left, right) => left.topic.localeCompare(right.topic));
    expect(byTopic).toEqual([
      { topic: "retained/a", payload: "A", qos: 1, retain: true, dup: false },
      { topic: "retained/b/c", payload: "BC", qos: 2, retain: true, dup: false },
    ]);
  });

  it("[MQTT-3.3.1-5] a new retained message replaces the previous one on its topic", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("replace/t", "old", { qos: 1, retain: true });
    await publisher.client.publishAsync("replace/t", "new", { qos: 1, retain: true });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("replace/+", { qos: 1 });
    await subscriber.waitForMessages(1);
    await sleep(quietPeriodMs);
    expect(subscriber.messages.map((message) => message.payload)).toEqual(["new"]);
  });

  it("[MQTT-3.3.1-9] a retained message forwarded to an existing subscriber has RETAIN cleared", async () => {
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("live/#", { qos: 1 });
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("live/t", "now", { qos: 1, retain: true });
    const [message] = await subscriber.waitForMessages(1);
    expect(message).toMatchObject({ topic: "live/t", payload: "now", retain: false });
  });

  it("[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained payload deletes the retained message", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("deleted/t", "soon gone", { qos: 1, retain: true });
    await publisher.client.publishAsync("kept/t", "stays", { qos: 1, retain: true });
    await publisher.client.publishAsync("deleted/t", "", { qos: 1, retain: true });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync(["deleted/#", "kept/#"], { qos: 1 });
    await subscriber.waitForMessages(1);
    await sleep(quietPeriodMs);
    expect(subscriber.messages.map((message) => message.topic)).toEqual(["kept/t"]);
  });

  it("[MQTT-3.3.1-12] a PUBLISH without RETAIN leaves the retained message in place", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("unchanged/t", "retained", { qos: 1, retain: true });
    await publisher.client.publishAsync("unchanged/t", "transient", { qos: 1, retain: false });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("unchanged/t", { qos: 1 });
    const [message] = await subscriber.waitForMessages(1);
    expect(message).toMatchObject({ payload: "retained", retain: true });
  });

  it("[MQTT-3.8.4-3] re-subscribing to the same filter sends the retained messages again", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("again/t", "R", { qos: 1, retain: true });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("again/#", { qos: 1 });
    await subscriber.waitForMessages(1);
    await subscriber.client.subscribeAsync("again/#", { qos: 1 });
    const messages = await subscriber.waitForMessages(2);
    expect(messages.map(({ payload, retain }) => ({ payload, retain }))).toEqual([
      { payload: "R", retain: true },
      { payload: "R", retain: true },
    ]);
  });
});

describe("MQTT.js wills", () => {
  it("[MQTT-3.1.2-8] the will is published with its QoS when the socket closes without DISCONNECT", async () => {
    const watcher = await clients.connect(running.port);
    await watcher.client.subscribeAsync("will/#", { qos: 2 });
    const dying = await clients.connect(running.port, {
      will: { topic: "will/dying", payload: Buffer.from("gone"), qos: 1, retain: false },
    });
    dying.client.stream.destroy();
    const [will] = await watcher.waitForMessages(1);
    expect(will).toEqual({
      topic: "will/dying",
      payload: "gone",
      qos: 1,
      retain: false,
      dup: false,
    });
  });

  it("[MQTT-3.1.2-17] a will with Will Retain set is stored as a retained message", async () => {
    const dying = await clients.connect(running.port, {
      will: { topic: "will/retained", payload: Buffer.from("last"), qos: 2, retain: true },
    });
    const watcher = await clients.connect(running.port);
    await watcher.client.subscribeAsync("will/retained", { qos: 2 });
    dying.client.stream.destroy();
    await watcher.waitForMessages(1);
    const latecomer = await clients.connect(running.port);
    await latecomer.client.subscribeAsync("will/retained", { qos: 2 });
    const [retained] = await latecomer.waitForMessages(1);
    expect(retained).toMatchObject({ payload: "last", qos: 2, retain: true });
  });

  it("[MQTT-3.1.2-8] [MQTT-3.1.4-2] the will of a connection taken over by the same client id is published", async () => {
    const watcher = await clients.connect(running.port);
    await watcher.client.subscribeAsync("will/#", { qos: 1 });
    const original = await clients.connect(running.port, {
      clientId: "will-takeover",
      will: { topic: "will/taken-over", payload: Buffer.from("replaced"), qos: 1, retain: false },
    });
    const originalClosed = new Promise<void>((resolve) =>
      original.client.once("close", () => resolve()),
    );
    await clients.connect(running.port, { clientId: "will-takeover" });
    await withTimeout(originalClosed, 3000, () => "the broker to close the taken-over connection");
    const [will] = await watcher.waitForMessages(1);
    expect(will).toMatchObject({ topic: "will/taken-over", payload: "replaced", qos: 1 });
  });

  it("[MQTT-3.14.4-3] the will is discarded when the client sends DISCONNECT (end())", async () => {
    const watcher = await clients.connect(running.port);
    await watcher.client.subscribeAsync("will/#", { qos: 1 });
    const leaving = await clients.connect(running.port, {
      will: {
        topic: "will/leaving",
        payload: Buffer.from("should not appear"),
        qos: 1,
        retain: false,
      },
    });
    await leaving.client.endAsync();
    // A marker from a fresh client after the DISCONNECT; the will would have been published before.
    const marker = await clients.connect(running.port);
    await marker.client.publishAsync("will/marker", "marker", { qos: 1 });
    await watcher.waitForMessages(1);
    await sleep(quietPeriodMs);
    expect(watcher.messages.map((message) => message.topic)).toEqual(["will/marker"]);
  });
});
