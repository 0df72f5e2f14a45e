import { afterEach, describe, expect, it } from "vitest";
import { Harness, nextMessages, rejection } from "./helpers/harness.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("publish and subscribe against the broker", () => {
  for (const qos of [0, 1, 2] as const) {
    it(`QoS ${qos}: a subscriber receives what a publisher sends, the promise resolves after the flow`, async () => {
      const { url } = await t.broker();
      const subscriber = await t.connected(url);
      const publisher = await t.connected(url);
      expect(await subscriber.subscribe("a/+", { qos })).toStrictEqual([
        { topicFilter: "a/+", returnCode: qos },
      ]);
      const received = nextMessages(subscriber, 3);
      await Promise.all([
        publisher.publish("a/1", "one", { qos }),
        publisher.publish("a/2", new Uint8Array([0, 255]), { qos }),
        publisher.publish("a/3", "", { qos }),
      ]);
      const messages = await received;
      expect(messages.map((m) => [m.topic, m.qos])).toStrictEqual([
        ["a/1", qos],
        ["a/2", qos],
        ["a/3", qos],
      ]);
      expect(messages[0]?.payload).toBe("one");
    });
  }

  it("MQTT 3.1 (protocolVersion 3) publishes and subscribes", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url, { protocolVersion: 3, clientId: "old-device" });
    await client.subscribe("v3/#", { qos: 2 });
    const received = nextMessages(client, 1);
    await client.publish("v3/x", "hi", { qos: 2 });
    expect((await received)[0]).toMatchObject({ topic: "v3/x", payload: "hi", qos: 2 });
  });

  it("connectAsync resolves once connected; end() resolves and sets state ended", async () => {
    const { url } = await t.broker();
    const client = await t.connected(url);
    expect(client.connected).toBe(true);
    expect(client.state).toBe("connected");
    await client.end();
    expect(client.state).toBe("ended");
    expect((await rejection(client.publish("x", "y"))).code).toBe("MQTT_ERR_CLIENT_ENDED");
  });
});

describe("WebSocket transport", () => {
  it("publishes and subscribes through the broker's WebSocket listener (ws://, path /mqtt)", async () => {
    const { broker } = await t.broker();
    const listener = await broker.listenWebSocket({ port: 0, host: "127.0.0.1" });
    const url = `ws://127.0.0.1:${listener.port}`;
    const subscriber = await t.connected(url);
    const publisher = await t.connected(`${url}/mqtt`);
    await subscriber.subscribe("ws/#", { qos: 1 });
    const received = nextMessages(subscriber, 2);
    await publisher.publish("ws/a", "x".repeat(100_000), { qos: 1 });
    await publisher.publish("ws/b", "small", { qos: 2 });
    const messages = await received;
    expect(messages.map((m) => [m.topic, m.payload.length])).toStrictEqual([
      ["ws/a", 100_000],
      ["ws/b", 5],
    ]);
  });
});
