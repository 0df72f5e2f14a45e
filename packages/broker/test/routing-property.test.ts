import type { QoS } from "@ternmq/codec";
import { matchesFilter } from "@ternmq/topics";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { bytes, Harness, text } from "./helpers/harness.js";
import { subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

const FILTERS = ["a/b", "a/+", "a/#", "#", "+/b", "c", "+/+/c", "a/b/c"];
const TOPICS = ["a/b", "a", "a/c", "c", "a/b/c", "x/b", "$SYS/b"];
const qosArbitrary = fc.constantFrom<QoS>(0, 1, 2);

describe("routing against a reference model (fast-check, seeded)", () => {
  it("[MQTT-3.3.5-1] each client gets each matching message once, at min(publish QoS, max granted QoS), in order", async () => {
    const scenario = fc.record({
      clients: fc.array(
        fc.uniqueArray(fc.tuple(fc.constantFrom(...FILTERS), qosArbitrary), {
          minLength: 1,
          maxLength: 4,
          selector: ([filter]) => filter,
        }),
        { minLength: 1, maxLength: 3 },
      ),
      publishes: fc.array(fc.tuple(fc.constantFrom(...TOPICS), qosArbitrary), {
        minLength: 1,
        maxLength: 12,
      }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ clients, publishes }) => {
        const { port, broker } = await t.broker();
        try {
          const connected = [];
          for (const [index, subscriptions] of clients.entries()) {
            const client = await t.client(port, { clientId: `c${index}` });
            await subscribe(client, subscriptions);
            connected.push(client);
          }
          for (const [index, [topic, qos]] of publishes.entries()) {
            await broker.publish({ topic, payload: bytes(String(index)), qos, retain: false });
          }
          for (const [index, client] of connected.entries()) {
            const expected: string[] = [];
            for (const [messageIndex, [topic, qos]] of publishes.entries()) {
              const granted = (clients[index] ?? [])
                .filter(([filter]) => matchesFilter(filter, topic))
                .map(([, grantedQoS]) => grantedQoS);
              if (granted.length > 0) {
                expected.push(`${messageIndex}@${Math.min(qos, Math.max(...granted))}`);
              }
            }
            const received: string[] = [];
            for (let count = 0; count < expected.length; count++) {
              const packet = await client.expect("publish");
              received.push(`${text(packet.payload)}@${packet.qos}`);
            }
            await client.expectNothing(30);
            expect(received).toEqual(expected);
          }
        } finally {
          await t.cleanup();
        }
      }),
      { seed: 20_251_125, numRuns: 25 },
    );
  });
});
