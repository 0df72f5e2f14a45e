/**
 * `$SYS` broker statistics read by an MQTT.js client, with the broker publishing every second.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, waitUntil, withTimeout } from "../helpers/with-timeout.js";

let running: RunningBroker;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 1 });
});

afterEach(async () => {
  await clients.closeAll();
  await running.close();
});

/** Topics the issue requires; each must carry a number (version excepted). */
const numericTopics = [
  "$SYS/broker/uptime",
  "$SYS/broker/clients/connected",
  "$SYS/broker/clients/disconnected",
  "$SYS/broker/clients/total",
  "$SYS/broker/clients/maximum",
  "$SYS/broker/messages/received",
  "$SYS/broker/messages/sent",
  "$SYS/broker/messages/dropped",
  "$SYS/broker/bytes/received",
  "$SYS/broker/bytes/sent",
  "$SYS/broker/subscriptions/count",
  "$SYS/broker/retained messages/count",
];

describe("MQTT.js and $SYS", () => {
  it("[$SYS] a '$SYS/#' subscriber receives every required broker statistic, numeric, within 2.5 s", async () => {
    const reader = await clients.connect(running.port);
    const latest = new Map<string, string>();
    // Listen before subscribing: the retained values can arrive in the same chunk as the
    // SUBACK, before subscribeAsync's continuation runs, and later updates carry only changes.
    const allSeen = new Promise<void>((resolve) => {
      reader.client.on("message", (topic, payload) => {
        latest.set(topic, payload.toString("utf8"));
        if ([...numericTopics, "$SYS/broker/version"].every((name) => latest.has(name))) resolve();
      });
    });
    await reader.client.subscribeAsync("$SYS/#", { qos: 0 });
    await withTimeout(allSeen, 2500, () => {
      const missing = [...numericTopics, "$SYS/broker/version"].filter((name) => !latest.has(name));
      return `$SYS topics ${missing.join(", ")}`;
    });
    expect(latest.get("$SYS/broker/version")).toMatch(/\S/);
    for (const topic of numericTopics) {
      expect(Number.isFinite(Number.parseFloat(latest.get(topic) ?? "")), topic).toBe(true);
    }
    expect([...latest.keys()].some((topic) => topic.startsWith("$SYS/broker/load/"))).toBe(true);
  });

  it("[$SYS] clients/connected follows clients connecting and disconnecting", async () => {
    const reader = await clients.connect(running.port);
    await reader.client.subscribeAsync("$SYS/broker/clients/connected", { qos: 0 });
    const latest = () => reader.messages.at(-1)?.payload;
    const others = [await clients.connect(running.port), await clients.connect(running.port)];
    await waitUntil(
      () => latest() === "3",
      2500,
      () => `clients/connected "3" (last "${latest()}")`,
    );
    await others[0]?.client.endAsync();
    await waitUntil(
      () => latest() === "2",
      2500,
      () => `clients/connected "2" (last "${latest()}")`,
    );
  });

  it("[$SYS] statistics are retained: a late subscriber to $SYS/broker/version gets it at once", async () => {
    await sleep(1200);
    const reader = await clients.connect(running.port);
    await reader.client.subscribeAsync("$SYS/broker/version", { qos: 0 });
    const [version] = await reader.waitForMessages(1, 500);
    expect(version).toMatchObject({ topic: "$SYS/broker/version", retain: true });
  });

  it("[MQTT-4.7.2-1] a '#' subscriber receives no $SYS statistics", async () => {
    const everything = await clients.connect(running.port);
    await everything.client.subscribeAsync("#", { qos: 0 });
    await sleep(1500);
    expect(everything.messages.filter((message) => message.topic.startsWith("$SYS"))).toEqual([]);
  });

  it("[$SYS] a client's PUBLISH to $SYS is acknowledged but not delivered", async () => {
    const reader = await clients.connect(running.port);
    await reader.client.subscribeAsync("$SYS/client-forged/#", { qos: 1 });
    const forger = await clients.connect(running.port);
    // publishAsync settles on the PUBACK of a QoS 1 message.
    await forger.client.publishAsync("$SYS/client-forged/x", "forged", { qos: 1 });
    await sleep(300);
    expect(reader.messages).toEqual([]);
    expect(forger.client.connected).toBe(true);
  });
});
