/**
 * The well-behaved client of every abuse test: an MQTT.js publisher streams numbered QoS 1
 * messages, one acknowledged message after the other, to an MQTT.js subscriber while the
 * attack runs. `finish()` checks that every message arrived, once, in order.
 */
import type { IClientOptions } from "mqtt";
import { expect } from "vitest";
import type { MqttJsClientPool } from "../helpers/mqttjs-clients.js";

export interface Qos1Stream {
  /** Messages acknowledged to the publisher so far. */
  readonly acknowledged: () => number;
  /** Waits for the whole stream (bounded) and checks it: nothing lost, duplicated or reordered. */
  finish(timeoutMs?: number): Promise<void>;
}

/**
 * Connects the pair (client ids `<name>-sub` and `<name>-pub`, through `pool`, so that
 * `pool.closeAll()` in afterEach ends them; `connect` adds MQTT.js options, e.g. WebSocket)
 * and starts streaming `count` messages on `topic`.
 */
export async function startQos1Stream(
  pool: MqttJsClientPool,
  port: number,
  options: { name: string; count: number; topic?: string; connect?: IClientOptions },
): Promise<Qos1Stream> {
  const { name, count } = options;
  const topic = options.topic ?? `abuse/${name}/stream`;
  const subscriber = await pool.connect(port, { ...options.connect, clientId: `${name}-sub` });
  await subscriber.client.subscribeAsync(topic, { qos: 1 });
  const publisher = await pool.connect(port, { ...options.connect, clientId: `${name}-pub` });
  let acknowledged = 0;
  const published = (async () => {
    for (let index = 0; index < count; index += 1) {
      await publisher.client.publishAsync(topic, String(index), { qos: 1 });
      acknowledged += 1;
    }
  })();
  return {
    acknowledged: () => acknowledged,
    async finish(timeoutMs = 20_000) {
      await published;
      const messages = await subscriber.waitForMessages(count, timeoutMs);
      expect(messages.map((message) => message.payload)).toEqual(
        Array.from({ length: count }, (_, index) => String(index)),
      );
      expect(messages.every((message) => message.qos === 1 && message.topic === topic)).toBe(true);
    },
  };
}
