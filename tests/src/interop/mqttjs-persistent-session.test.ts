/**
 * Persistent sessions (clean session 0) of MQTT.js clients on a TernMQ broker: subscriptions
 * survive a disconnect, QoS 1/2 messages published meanwhile are queued and delivered in order
 * on reconnect, and the session present flag tells the client what happened.
 */
import type { QoS } from "@ternmq/codec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, withTimeout } from "../helpers/with-timeout.js";

let running: RunningBroker;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0 });
});

afterEach(async () => {
  await clients.closeAll();
  await running.close();
});

const persistent = (clientId: string) => ({ clientId, clean: false });

describe("MQTT.js persistent sessions", () => {
  it("[MQTT-3.2.2-3] a first clean-session-0 connection reports no session present", async () => {
    const client = await clients.connect(running.port, persistent("persist-first"));
    expect(client.connack.sessionPresent).toBe(false);
  });

  it("[MQTT-3.1.2-5] [MQTT-3.2.2-2] [MQTT-4.6.0-6] QoS 1/2 messages published while offline arrive in order on reconnect", async () => {
    const first = await clients.connect(running.port, persistent("persist-queue"));
    await first.client.subscribeAsync("offline/#", { qos: 2 });
    await first.client.endAsync();

    const publisher = await clients.connect(running.port);
    const perQoS = 10;
    const qosLevels: readonly QoS[] = [1, 2];
    for (let index = 0; index < perQoS; index += 1) {
      for (const qos of qosLevels) {
        await publisher.client.publishAsync(`offline/q${qos}`, `${index}`, { qos });
      }
    }

    const second = await clients.connect(running.port, persistent("persist-queue"));
    expect(second.connack.sessionPresent).toBe(true);
    const messages = await second.waitForMessages(perQoS * qosLevels.length);
    // MQTT.js emits a QoS 2 message only on PUBREL, so order is checked per QoS level.
    const expected = Array.from({ length: perQoS }, (_, index) => `${index}`);
    for (const qos of qosLevels) {
      const stream = messages.filter((message) => message.topic === `offline/q${qos}`);
      expect(stream.map((message) => message.payload)).toEqual(expected);
      expect(stream.every((message) => message.qos === qos)).toBe(true);
    }
    expect(messages).toHaveLength(perQoS * qosLevels.length);
  });

  it("[MQTT-3.1.2-5] [MQTT-4.6.0-6] 300 queued QoS 1 messages (beyond the inflight window) arrive complete and in order", async () => {
    const first = await clients.connect(running.port, persistent("persist-many"));
    await first.client.subscribeAsync("many/t", { qos: 1 });
    await first.client.endAsync();
    const publisher = await clients.connect(running.port);
    const count = 300;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        publisher.client.publishAsync("many/t", `${index}`, { qos: 1 }),
      ),
    );
    const second = await clients.connect(running.port, persistent("persist-many"));
    expect(second.connack.sessionPresent).toBe(true);
    const messages = await second.waitForMessages(count);
    expect(messages.map((message) => message.payload)).toEqual(
      Array.from({ length: count }, (_, index) => `${index}`),
    );
  });

  it("[MQTT-3.1.2-4] subscriptions survive a reconnect without subscribing again", async () => {
    const first = await clients.connect(running.port, persistent("persist-subs"));
    await first.client.subscribeAsync("kept/subscription", { qos: 1 });
    await first.client.endAsync();
    const second = await clients.connect(running.port, persistent("persist-subs"));
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("kept/subscription", "still here", { qos: 1 });
    const [message] = await second.waitForMessages(1);
    expect(message).toMatchObject({ topic: "kept/subscription", payload: "still here", qos: 1 });
  });

  it("[MQTT-3.1.2-6] [MQTT-3.2.2-1] a clean-session-1 connection discards the stored session and its queue", async () => {
    const first = await clients.connect(running.port, persistent("persist-clean"));
    await first.client.subscribeAsync("discarded/#", { qos: 1 });
    await first.client.endAsync();
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("discarded/t", "queued", { qos: 1 });

    const clean = await clients.connect(running.port, { clientId: "persist-clean", clean: true });
    expect(clean.connack.sessionPresent).toBe(false);
    await clean.client.endAsync();
    const again = await clients.connect(running.port, persistent("persist-clean"));
    expect(again.connack.sessionPresent).toBe(false);
    await publisher.client.publishAsync("discarded/t", "after", { qos: 1 });
    await sleep(300);
    expect(again.messages).toEqual([]);
  });

  it("[MQTT-3.1.4-2] a second connection with the same client id takes the session over", async () => {
    const first = await clients.connect(running.port, persistent("persist-takeover"));
    await first.client.subscribeAsync("takeover/t", { qos: 1 });
    const closed = new Promise<void>((resolve) => first.client.once("close", () => resolve()));
    const second = await clients.connect(running.port, persistent("persist-takeover"));
    expect(second.connack.sessionPresent).toBe(true);
    await withTimeout(closed, 3000, () => "the broker to close the taken-over connection");
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("takeover/t", "to the new one", { qos: 1 });
    const [message] = await second.waitForMessages(1);
    expect(message?.payload).toBe("to the new one");
    expect(first.messages).toEqual([]);
  });
});
