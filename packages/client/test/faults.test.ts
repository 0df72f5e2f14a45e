/**
 * Network faults at every step of every QoS flow, through a TCP proxy that cuts the
 * connection right after a chosen packet: with a persistent session and reconnect on,
 * nothing is lost, no QoS 2 message is delivered twice, and every promise resolves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectAsync, FileSessionStore, type MqttClient } from "../src/index.js";
import { CuttingProxy, type Direction, PACKET } from "./helpers/cutting-proxy.js";
import { Harness, rejection, text } from "./helpers/harness.js";

// Several reconnects over real sockets per test; room for a loaded CI machine.
vi.setConfig({ testTimeout: 20_000 });

const t = new Harness();
afterEach(() => t.cleanup());

type Step = readonly [Direction, keyof typeof PACKET];
const RECONNECT = { minDelayMs: 5, maxDelayMs: 20 } as const;
const PAYLOADS = ["m0", "m1", "m2", "m3", "m4"];

/** The packets of one QoS flow, seen from the side that publishes through the proxy. */
function publisherSteps(qos: 1 | 2): Step[] {
  return qos === 1
    ? [
        ["client-to-broker", "publish"],
        ["broker-to-client", "puback"],
      ]
    : [
        ["client-to-broker", "publish"],
        ["broker-to-client", "pubrec"],
        ["client-to-broker", "pubrel"],
        ["broker-to-client", "pubcomp"],
      ];
}

/** The same flow when the side behind the proxy is the subscriber. */
function subscriberSteps(qos: 1 | 2): Step[] {
  const flip = (direction: Direction): Direction =>
    direction === "client-to-broker" ? "broker-to-client" : "client-to-broker";
  return publisherSteps(qos).map(([direction, type]) => [flip(direction), type]);
}

/** Counts every payload `client` receives; `until(payload)` waits for one. */
function counter(client: MqttClient) {
  const counts = new Map<string, number>();
  let waiters: (() => void)[] = [];
  client.on("message", (_topic, payload) => {
    const key = text(payload);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const resolve of waiters.splice(0)) resolve();
  });
  return {
    counts,
    async until(payload: string): Promise<void> {
      while (!counts.has(payload)) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    reset() {
      waiters = [];
    },
  };
}

async function setup(qos: 1 | 2, proxied: "publisher" | "subscriber") {
  const { url } = await t.broker();
  const proxy = await CuttingProxy.start(Number(new URL(url).port));
  t.defer(() => proxy.close());
  const options = { clean: false, reconnect: RECONNECT } as const;
  const subscriber = await t.connected(proxied === "subscriber" ? proxy.url : url, {
    ...options,
    clientId: "subscriber",
  });
  await subscriber.subscribe("f/#", { qos });
  const publisher = await t.connected(proxied === "publisher" ? proxy.url : url, {
    ...options,
    clientId: "publisher",
  });
  return { proxy, subscriber, publisher, received: counter(subscriber) };
}

/**
 * Publishes PAYLOADS, then a sentinel: anything delivered twice arrives before it. Then two
 * SUBSCRIBE round trips of the subscriber: the acknowledgements it sends for what arrived
 * with the first SUBACK (where the cut may be) leave before the second SUBSCRIBE, and after
 * a cut the server resends the session's messages before answering it.
 */
async function publishAll(
  publisher: MqttClient,
  subscriber: MqttClient,
  qos: 1 | 2,
  received: ReturnType<typeof counter>,
) {
  await Promise.all(PAYLOADS.map((payload) => publisher.publish("f/x", payload, { qos })));
  await publisher.publish("f/end", "end", { qos });
  await received.until("end");
  await subscriber.subscribe("barrier/1");
  await subscriber.subscribe("barrier/2");
}

function expectDelivered(counts: Map<string, number>, qos: 1 | 2): void {
  for (const payload of PAYLOADS) {
    const count = counts.get(payload) ?? 0;
    if (qos === 2) expect(count, payload).toBe(1);
    else expect(count, payload).toBeGreaterThanOrEqual(1);
  }
}

describe("cut after each packet of the publisher's flow (persistent session, reconnect on)", () => {
  for (const qos of [1, 2] as const) {
    for (const [direction, type] of publisherSteps(qos)) {
      it(`QoS ${qos}: cut after ${type.toUpperCase()} ${direction}: no loss, ${qos === 2 ? "no duplicate, " : ""}every publish resolves`, async () => {
        const { proxy, publisher, subscriber, received } = await setup(qos, "publisher");
        proxy.arm({ direction, type: PACKET[type] });
        await publishAll(publisher, subscriber, qos, received);
        expect(proxy.cuts).toBe(1);
        expectDelivered(received.counts, qos);
      });
    }
  }

  it("QoS 2: cut again during the resend (after the DUP PUBLISH, then after the resent PUBREL)", async () => {
    const { proxy, publisher, subscriber, received } = await setup(2, "publisher");
    proxy.arm(
      { direction: "client-to-broker", type: PACKET.publish, occurrence: 3 },
      { direction: "client-to-broker", type: PACKET.publish },
      { direction: "client-to-broker", type: PACKET.pubrel },
      { direction: "client-to-broker", type: PACKET.pubrel },
    );
    await publishAll(publisher, subscriber, 2, received);
    expect(proxy.cuts).toBe(4);
    expectDelivered(received.counts, 2);
  });
});

describe("cut after each packet of the subscriber's flow (persistent session, reconnect on)", () => {
  for (const qos of [1, 2] as const) {
    for (const [direction, type] of subscriberSteps(qos)) {
      it(`QoS ${qos}: cut after ${type.toUpperCase()} ${direction}: no loss${qos === 2 ? ", no duplicate" : ""}`, async () => {
        const { proxy, publisher, subscriber, received } = await setup(qos, "subscriber");
        proxy.arm({ direction, type: PACKET[type], occurrence: 2 });
        await publishAll(publisher, subscriber, qos, received);
        expect(proxy.cuts).toBe(1);
        expectDelivered(received.counts, qos);
      });
    }
  }

  it("QoS 2: cut again while the broker resends to the subscriber", async () => {
    const { proxy, publisher, subscriber, received } = await setup(2, "subscriber");
    proxy.arm(
      { direction: "broker-to-client", type: PACKET.publish, occurrence: 2 },
      { direction: "broker-to-client", type: PACKET.publish },
      { direction: "broker-to-client", type: PACKET.pubrel },
    );
    await publishAll(publisher, subscriber, 2, received);
    expect(proxy.cuts).toBe(3);
    expectDelivered(received.counts, 2);
  });
});

describe("reconnect off: every promise settles; a restart with the same store resends", () => {
  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: the first process loses its connection before PUBACK/PUBCOMP; the second (same clientId, clean=false, same FileSessionStore) resends`, async () => {
      const directory = await mkdtemp(join(tmpdir(), "ternmq-client-restart-"));
      t.defer(() => rm(directory, { recursive: true, force: true }));
      const { url } = await t.broker();
      const proxy = await CuttingProxy.start(Number(new URL(url).port));
      t.defer(() => proxy.close());
      const subscriber = await t.connected(url, { clientId: "subscriber", clean: false });
      await subscriber.subscribe("f/#", { qos });
      const received = counter(subscriber);

      const firstStore = await FileSessionStore.open(directory);
      const first = await connectAsync(proxy.url, {
        clientId: "restarted",
        clean: false,
        reconnect: false,
        store: firstStore,
      });
      proxy.arm({ direction: "client-to-broker", type: PACKET.publish });
      const outcomes = await Promise.all(
        PAYLOADS.map((payload) => rejection(first.publish("f/x", payload, { qos }))),
      );
      expect(outcomes.map((error) => error.code)).toStrictEqual(
        PAYLOADS.map(() => "MQTT_ERR_CLIENT_CONNECTION_CLOSED"),
      );
      expect(first.state).toBe("closed");
      await first.end({ force: true });
      await firstStore.close(); // the process exits

      const secondStore = await FileSessionStore.open(directory);
      t.defer(() => secondStore.close());
      const stored = await secondStore.load("restarted");
      expect(stored?.snapshot.outbound.inflight.map((entry) => entry.packetId)).toHaveLength(5);
      const second = await t.connected(url, {
        clientId: "restarted",
        clean: false,
        store: secondStore,
      });
      await second.publish("f/end", "end", { qos });
      await received.until("end");
      await subscriber.subscribe("barrier");
      expectDelivered(received.counts, qos);
      expect((await secondStore.load("restarted"))?.snapshot.outbound.inflight).toStrictEqual([]);
    });
  }
});
