/**
 * QoS 2 exactly-once across a network failure: a proxy cuts an MQTT.js client's connection in
 * the middle of a QoS 2 flow, MQTT.js reconnects with the same persistent session and resends,
 * and the message must still be delivered exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { type CuttingProxy, startCuttingProxy } from "../helpers/cutting-proxy.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, waitUntil } from "../helpers/with-timeout.js";

const PUBREC = 5;
const PUBREL = 6;

let running: RunningBroker;
let proxy: CuttingProxy | undefined;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0 });
});

afterEach(async () => {
  await clients.closeAll();
  await proxy?.close();
  proxy = undefined;
  await running.close();
});

/** MQTT.js options for a persistent session that reconnects quickly after a cut. */
const reconnecting = (clientId: string) => ({ clientId, clean: false, reconnectPeriod: 100 });

describe("MQTT.js QoS 2 across a cut connection", () => {
  it("[MQTT-4.3.3-2] [MQTT-4.4.0-1] a publisher cut before it sees PUBREC resends; the subscriber gets the message once", async () => {
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("cut/publisher", { qos: 2 });
    proxy = await startCuttingProxy(running.port, PUBREC);
    const publisher = await clients.connect(proxy.port, reconnecting("cut-publisher"));
    // Settles only once PUBCOMP arrives, i.e. after the reconnect and the resent PUBLISH (DUP).
    await publisher.client.publishAsync("cut/publisher", "exactly once", { qos: 2 });
    expect(proxy.cuts).toBe(1);
    await subscriber.waitForMessages(1);
    await publisher.client.publishAsync("cut/publisher", "marker", { qos: 2 });
    await subscriber.waitForMessages(2);
    expect(subscriber.messages.map((message) => message.payload)).toEqual([
      "exactly once",
      "marker",
    ]);
  });

  it("[MQTT-4.4.0-1] [MQTT-4.3.3-2] a subscriber cut before PUBREL reconnects, gets PUBREL resent, and emits the message once", async () => {
    proxy = await startCuttingProxy(running.port, PUBREL);
    const subscriber = await clients.connect(proxy.port, reconnecting("cut-subscriber"));
    await subscriber.client.subscribeAsync("cut/subscriber", { qos: 2 });
    let reconnects = 0;
    subscriber.client.on("reconnect", () => {
      reconnects += 1;
    });
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("cut/subscriber", "exactly once", { qos: 2 });
    await subscriber.waitForMessages(1, 4000);
    expect(proxy.cuts).toBe(1);
    await waitUntil(
      () => subscriber.client.connected,
      3000,
      () => "the subscriber to reconnect",
    );
    expect(reconnects).toBeGreaterThanOrEqual(1);
    await publisher.client.publishAsync("cut/subscriber", "marker", { qos: 2 });
    await subscriber.waitForMessages(2);
    await sleep(100);
    expect(subscriber.messages.map((message) => message.payload)).toEqual([
      "exactly once",
      "marker",
    ]);
  });
});
