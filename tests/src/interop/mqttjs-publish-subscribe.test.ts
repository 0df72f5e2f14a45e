/**
 * MQTT.js (the `mqtt` npm package, a third-party client) publishing and subscribing through a
 * TernMQ broker over TCP: QoS 0/1/2 in both directions, granted QoS, MQTT 3.1 and 3.1.1
 * clients, unsubscribe, wildcards and `$` topics, and keepalive pings.
 */
import type { QoS } from "@ternmq/codec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep } from "../helpers/with-timeout.js";

const qosLevels: readonly QoS[] = [0, 1, 2];

let running: RunningBroker;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0 });
});

afterEach(async () => {
  await clients.closeAll();
  await running.close();
});

describe("MQTT.js 3.1.1 publish and subscribe", () => {
  it("[MQTT-3.8.4-5] SUBACK grants each requested QoS 0, 1 and 2 in request order", async () => {
    const subscriber = await clients.connect(running.port);
    const grants = await subscriber.client.subscribeAsync({
      "g/0": { qos: 0 },
      "g/1": { qos: 1 },
      "g/2": { qos: 2 },
    });
    expect(grants.map((grant) => [grant.topic, grant.qos])).toEqual([
      ["g/0", 0],
      ["g/1", 1],
      ["g/2", 2],
    ]);
  });

  for (const publishQoS of qosLevels) {
    for (const subscribeQoS of qosLevels) {
      const deliveredQoS = Math.min(publishQoS, subscribeQoS);
      it(`[MQTT-3.8.4-6] QoS ${publishQoS} publish to a QoS ${subscribeQoS} subscription arrives once at QoS ${deliveredQoS}`, async () => {
        const subscriber = await clients.connect(running.port);
        const publisher = await clients.connect(running.port);
        await subscriber.client.subscribeAsync("matrix/topic", { qos: subscribeQoS });
        // publishAsync resolves on PUBACK (QoS 1) / PUBCOMP (QoS 2): the broker's half of the flow.
        await publisher.client.publishAsync("matrix/topic", `q${publishQoS}`, { qos: publishQoS });
        const [message] = await subscriber.waitForMessages(1);
        expect(message).toEqual({
          topic: "matrix/topic",
          payload: `q${publishQoS}`,
          qos: deliveredQoS,
          retain: false,
          dup: false,
        });
        // A marker published after it proves no duplicate of the first message was delivered.
        await publisher.client.publishAsync("matrix/topic", "marker", { qos: publishQoS });
        const messages = await subscriber.waitForMessages(2);
        expect(messages.map((received) => received.payload)).toEqual([`q${publishQoS}`, "marker"]);
      });
    }
  }

  it("[MQTT-3.8.4-6] a broker with maxQoS 1 grants QoS 1 for a QoS 2 request and delivers QoS 2 publishes at QoS 1", async () => {
    const capped = await startBroker({ sysInterval: 0, maxQoS: 1 });
    try {
      const subscriber = await clients.connect(capped.port);
      const publisher = await clients.connect(capped.port);
      const grants = await subscriber.client.subscribeAsync("capped/t", { qos: 2 });
      expect(grants.map((grant) => grant.qos)).toEqual([1]);
      await publisher.client.publishAsync("capped/t", "capped", { qos: 2 });
      const [message] = await subscriber.waitForMessages(1);
      expect(message).toMatchObject({ payload: "capped", qos: 1 });
    } finally {
      await clients.closeAll();
      await capped.close();
    }
  });

  it("[MQTT-4.6.0-6] 100 pipelined messages per QoS level arrive complete and in order per topic", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("loop/#", { qos: 2 });
    const perQoS = 100;
    const publishes: Promise<unknown>[] = [];
    for (let index = 0; index < perQoS; index += 1) {
      for (const qos of qosLevels) {
        publishes.push(publisher.client.publishAsync(`loop/q${qos}`, `${index}`, { qos }));
      }
    }
    await Promise.all(publishes);
    const messages = await subscriber.waitForMessages(perQoS * qosLevels.length);
    const expected = Array.from({ length: perQoS }, (_, index) => `${index}`);
    // Ordering is guaranteed per QoS level (4.6.0), not across QoS levels.
    for (const qos of qosLevels) {
      const stream = messages.filter((message) => message.topic === `loop/q${qos}`);
      expect(stream.map((message) => message.payload)).toEqual(expected);
      expect(stream.every((message) => message.qos === qos)).toBe(true);
    }
  });

  it("[MQTT-3.3.4-1] a 1 MiB QoS 1 payload arrives intact", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("large/t", { qos: 1 });
    const payload = "0123456789abcdef".repeat(64 * 1024);
    await publisher.client.publishAsync("large/t", payload, { qos: 1 });
    const [message] = await subscriber.waitForMessages(1);
    expect(message?.payload.length).toBe(payload.length);
    expect(message?.payload === payload).toBe(true);
  });

  it("[MQTT-3.3.4-1] one QoS 1 publish fans out to 20 subscribers, each receiving 50 messages in order", async () => {
    const subscribers = await Promise.all(
      Array.from({ length: 20 }, () => clients.connect(running.port)),
    );
    await Promise.all(subscribers.map(({ client }) => client.subscribeAsync("fan/#", { qos: 1 })));
    const publisher = await clients.connect(running.port);
    const expected = Array.from({ length: 50 }, (_, index) => `${index}`);
    await Promise.all(
      expected.map((payload) => publisher.client.publishAsync("fan/out", payload, { qos: 1 })),
    );
    for (const subscriber of subscribers) {
      const messages = await subscriber.waitForMessages(expected.length);
      expect(messages.map((message) => message.payload)).toEqual(expected);
    }
  });

  it("[MQTT-3.3.5-1] overlapping subscriptions deliver one copy at the highest granted QoS", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync({ "overlap/#": { qos: 0 }, "overlap/+": { qos: 2 } });
    // One message at a time: MQTT.js emits QoS 2 messages on PUBREL, so QoS levels may reorder.
    await publisher.client.publishAsync("overlap/x", "one", { qos: 2 });
    await subscriber.waitForMessages(1);
    await publisher.client.publishAsync("overlap/x", "two", { qos: 1 });
    await subscriber.waitForMessages(2);
    // Only "overlap/#" matches the marker; a QoS 0 duplicate of "two" would have come before it.
    await publisher.client.publishAsync("overlap/end/marker", "end", { qos: 0 });
    const messages = await subscriber.waitForMessages(3);
    expect(messages.map(({ payload, qos }) => ({ payload, qos }))).toEqual([
      { payload: "one", qos: 2 },
      { payload: "two", qos: 1 },
      { payload: "end", qos: 0 },
    ]);
  });

  it("[MQTT-3.10.4-2] after UNSUBACK no more messages are delivered for the removed filter", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync(["unsub/gone", "unsub/kept"], { qos: 1 });
    await publisher.client.publishAsync("unsub/gone", "before", { qos: 1 });
    await subscriber.waitForMessages(1);
    await subscriber.client.unsubscribeAsync("unsub/gone");
    await publisher.client.publishAsync("unsub/gone", "after", { qos: 1 });
    // Topics from one publisher stay ordered: once the marker is in, "after" would have been too.
    await publisher.client.publishAsync("unsub/kept", "marker", { qos: 1 });
    const messages = await subscriber.waitForMessages(2);
    expect(messages.map(({ topic, payload }) => `${topic}=${payload}`)).toEqual([
      "unsub/gone=before",
      "unsub/kept=marker",
    ]);
  });

  it("[MQTT-3.10.4-5] UNSUBSCRIBE of a filter that was never subscribed is acknowledged", async () => {
    const client = await clients.connect(running.port);
    const unsuback = await client.client.unsubscribeAsync("never/subscribed");
    expect(unsuback?.cmd).toBe("unsuback");
  });
});

describe("MQTT.js wildcards and $ topics", () => {
  it("[MQTT-4.7.1-2] '#' matches the parent level and every level below it", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("sport/#", { qos: 1 });
    for (const topic of [
      "sport",
      "sport/tennis",
      "sport/tennis/player1",
      "sports",
      "other/sport",
    ]) {
      await publisher.client.publishAsync(topic, topic, { qos: 1 });
    }
    await publisher.client.publishAsync("sport/end", "marker", { qos: 1 });
    const messages = await subscriber.waitForMessages(4);
    expect(messages.map((message) => message.topic)).toEqual([
      "sport",
      "sport/tennis",
      "sport/tennis/player1",
      "sport/end",
    ]);
  });

  it("[MQTT-4.7.1-3] '+' matches exactly one level, including an empty one", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("sport/+/score", { qos: 1 });
    for (const topic of ["sport/tennis/score", "sport//score", "sport/score", "sport/a/b/score"]) {
      await publisher.client.publishAsync(topic, topic, { qos: 1 });
    }
    await publisher.client.publishAsync("sport/end/score", "marker", { qos: 1 });
    const messages = await subscriber.waitForMessages(3);
    expect(messages.map((message) => message.topic)).toEqual([
      "sport/tennis/score",
      "sport//score",
      "sport/end/score",
    ]);
  });

  it("[MQTT-4.7.3-4] topic names are matched as UTF-8 strings, non-ASCII and case included", async () => {
    const subscriber = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("ünïcode/+/😀", { qos: 1 });
    for (const topic of ["ünïcode/a/😀", "Ünïcode/a/😀", "unicode/a/😀", "ünïcode/b/😀"]) {
      await publisher.client.publishAsync(topic, topic, { qos: 1 });
    }
    const messages = await subscriber.waitForMessages(2);
    expect(messages.map((message) => message.topic)).toEqual(["ünïcode/a/😀", "ünïcode/b/😀"]);
  });

  it("[MQTT-4.7.2-1] '#' and '+/...' do not match topics starting with '$'; '$app/#' does", async () => {
    const wildcard = await clients.connect(running.port);
    const dollar = await clients.connect(running.port);
    const publisher = await clients.connect(running.port);
    await wildcard.client.subscribeAsync(["#", "+/status"], { qos: 1 });
    await dollar.client.subscribeAsync("$app/#", { qos: 1 });
    await publisher.client.publishAsync("$app/status", "dollar", { qos: 1 });
    await publisher.client.publishAsync("plain/status", "plain", { qos: 1 });
    const wildcardMessages = await wildcard.waitForMessages(1);
    const dollarMessages = await dollar.waitForMessages(1);
    expect(wildcardMessages.map((message) => message.topic)).toEqual(["plain/status"]);
    expect(dollarMessages.map((message) => message.topic)).toEqual(["$app/status"]);
  });
});

describe("MQTT.js 3.1 (MQIsdp) client", () => {
  it("[MQTT 3.1] a protocol level 3 client connects and exchanges QoS 2 messages with a 3.1.1 client", async () => {
    const legacy = await clients.connect(running.port, {
      protocolId: "MQIsdp",
      protocolVersion: 3,
      clientId: "legacy-3-1-client",
    });
    const modern = await clients.connect(running.port, { protocolVersion: 4 });
    expect(legacy.connack.returnCode).toBe(0);
    const grants = await legacy.client.subscribeAsync("legacy/in", { qos: 2 });
    expect(grants.map((grant) => grant.qos)).toEqual([2]);
    await modern.client.subscribeAsync("legacy/out", { qos: 2 });
    await modern.client.publishAsync("legacy/in", "to 3.1", { qos: 2 });
    await legacy.client.publishAsync("legacy/out", "from 3.1", { qos: 2 });
    const [toLegacy] = await legacy.waitForMessages(1);
    const [fromLegacy] = await modern.waitForMessages(1);
    expect(toLegacy).toMatchObject({ topic: "legacy/in", payload: "to 3.1", qos: 2 });
    expect(fromLegacy).toMatchObject({ topic: "legacy/out", payload: "from 3.1", qos: 2 });
  });
});

describe("MQTT.js 5.0 client", () => {
  it("[MQTT-3.1.2-2] a protocol level 5 client is refused with CONNACK 0x84 (unsupported protocol version)", async () => {
    await expect(clients.connect(running.port, { protocolVersion: 5 })).rejects.toMatchObject({
      code: 0x84,
    });
  });
});

describe("MQTT.js keepalive", () => {
  it("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP and a 1 s keepalive connection stays up", async () => {
    const pinger = await clients.connect(running.port, { keepalive: 1 });
    let pingResponses = 0;
    pinger.client.on("packetreceive", (packet) => {
      if (packet.cmd === "pingresp") pingResponses += 1;
    });
    await sleep(2600);
    expect(pingResponses).toBeGreaterThanOrEqual(2);
    expect(pinger.client.connected).toBe(true);
    expect(pinger.errors).toEqual([]);
  });
});
