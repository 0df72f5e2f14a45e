/**
 * Sessions and wills on a 3-node TernMQ cluster over Redis (issue 11): a persistent session
 * resumes on another node with everything queued meanwhile; the same client id connecting
 * on another node takes the connection over and keeps the session; a will is published once,
 * by the node that held the connection. MQTT.js clients.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConnectedClient, MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil, withTimeout } from "../helpers/with-timeout.js";
import { closeAllClusters, startCluster, type TestCluster } from "./cluster-harness.js";
import { dataMessages, probeClients } from "./route-probes.js";

let cluster: TestCluster;
const clients = new MqttJsClientPool();

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["a", "b", "c"] });
}, 90_000);

afterEach(async () => {
  await clients.closeAll();
});

afterAll(closeAllClusters);

const on = (node: string) => cluster.port(node);
const persistent = (clientId: string) => ({ clientId, clean: false });

/** Waits until `receiver` holds `count` messages that are not probes. */
async function waitForData(receiver: ConnectedClient, count: number, what: string): Promise<void> {
  await waitUntil(
    () => dataMessages(receiver.messages).length >= count,
    5_000,
    () => `${count} message(s) at ${what}; got ${JSON.stringify(dataMessages(receiver.messages))}`,
  );
}

/**
 * Fences from every node: probes `topic` from a client on each node until `receivers` have
 * one; afterwards any copy a node sent before has arrived.
 */
async function fenceFromEveryNode(
  topic: string,
  receivers: readonly ConnectedClient[],
): Promise<void> {
  for (const node of cluster.nodeIds) {
    const prober = await clients.connect(on(node));
    await probeClients(prober.client, topic, receivers);
  }
}

describe("persistent sessions across nodes", { timeout: 30_000 }, () => {
  it("[MQTT-3.2.2-2] [MQTT-3.1.2-5] a session left on a resumes on b with Session Present 1 and the messages c queued: QoS 1 at least once, QoS 2 exactly once, in order", async () => {
    const clientId = "resume-elsewhere";
    const first = await clients.connect(on("a"), persistent(clientId));
    expect(first.connack.sessionPresent).toBe(false);
    await first.client.subscribeAsync({ "resume/q1": { qos: 1 }, "resume/q2": { qos: 2 } });
    const publisher = await clients.connect(on("c"));
    await probeClients(publisher.client, "resume/q1", [first]);
    await probeClients(publisher.client, "resume/q2", [first]);
    await first.client.endAsync();

    const perQoS = 25;
    const sends: Promise<unknown>[] = [];
    for (let index = 0; index < perQoS; index += 1) {
      sends.push(publisher.client.publishAsync("resume/q1", String(index), { qos: 1 }));
      sends.push(publisher.client.publishAsync("resume/q2", String(index), { qos: 2 }));
    }
    await Promise.all(sends);

    const resumed = await clients.connect(on("b"), persistent(clientId));
    expect(resumed.connack.sessionPresent).toBe(true);
    await waitForData(resumed, perQoS * 2, "the resumed session on b");
    // Its subscriptions came along: a new message from c arrives (and fences the queue).
    await probeClients(publisher.client, "resume/q2", [resumed]);

    const expected = Array.from({ length: perQoS }, (_, index) => String(index));
    const payloads = (topic: string) =>
      dataMessages(resumed.messages)
        .filter((message) => message.topic === topic)
        .map((message) => message.payload);
    expect(payloads("resume/q2")).toEqual(expected);
    expect([...new Set(payloads("resume/q1"))]).toEqual(expected);
  });

  it("[MQTT-4.6.0-6] a session resumed on the node its publisher is on gets the messages queued meanwhile before the ones published after the resume", async () => {
    const clientId = "resume-on-publisher-node";
    const first = await clients.connect(on("b"), persistent(clientId));
    await first.client.subscribeAsync("ordered/t", { qos: 1 });
    const publisher = await clients.connect(on("a"));
    await probeClients(publisher.client, "ordered/t", [first]);
    await first.client.endAsync();

    // More than one page of the inbox (256 messages per store round trip), then a publisher
    // that keeps going, one message at a time, while the session resumes.
    const queued = 300;
    await Promise.all(
      Array.from({ length: queued }, (_, index) =>
        publisher.client.publishAsync("ordered/t", String(index), { qos: 1 }),
      ),
    );
    let published = queued;
    let publishing = true;
    const stream = (async () => {
      while (publishing) {
        await publisher.client.publishAsync("ordered/t", String(published), { qos: 1 });
        published += 1;
      }
    })();
    let resumed: ConnectedClient;
    try {
      resumed = await clients.connect(on("a"), persistent(clientId));
      const atConnack = published;
      await waitUntil(
        () => published >= atConnack + 50,
        5_000,
        () => "50 messages published after the resume",
      );
    } finally {
      publishing = false;
      await stream;
    }
    expect(resumed.connack.sessionPresent).toBe(true);
    await waitForData(resumed, published, "the session resumed on a");

    const firstDeliveries = [...new Set(dataMessages(resumed.messages).map((m) => m.payload))];
    const firstWrong = firstDeliveries.findIndex((payload, index) => payload !== String(index));
    expect(
      firstWrong,
      `first deliveries from #${firstWrong}: ${firstDeliveries.slice(firstWrong, firstWrong + 8)}`,
    ).toBe(-1);
    expect(firstDeliveries).toHaveLength(published);
  });

  it("[MQTT-3.1.4-2] [MQTT-3.1.4-3] the same client id connecting on b closes its connection on a, keeps the session there, and the old connection's will is published once", async () => {
    const clientId = "taken-over";
    const watcher = await clients.connect(on("c"));
    await watcher.client.subscribeAsync("takeover/will", { qos: 1 });
    const prober = await clients.connect(on("a"));
    await probeClients(prober.client, "takeover/will", [watcher]);

    const old = await clients.connect(on("a"), {
      ...persistent(clientId),
      will: { topic: "takeover/will", payload: Buffer.from("old gone"), qos: 1, retain: false },
    });
    await old.client.subscribeAsync("takeover/data", { qos: 1 });
    const oldClosed = new Promise<void>((resolve) => old.client.once("close", () => resolve()));

    const taker = await clients.connect(on("b"), persistent(clientId));
    expect(taker.connack.sessionPresent).toBe(true);
    await withTimeout(oldClosed, 5_000, () => "the old connection on a to close");

    await waitForData(watcher, 1, "the will watcher on c");
    await fenceFromEveryNode("takeover/will", [watcher]);
    expect(dataMessages(watcher.messages).map((message) => message.payload)).toEqual(["old gone"]);

    // The subscription made on a now delivers on b, without subscribing again.
    const publisher = await clients.connect(on("c"));
    await probeClients(publisher.client, "takeover/data", [taker]);
    await publisher.client.publishAsync("takeover/data", "after", { qos: 1 });
    await waitForData(taker, 1, "the new connection on b");
    expect(dataMessages(taker.messages).map((message) => message.payload)).toEqual(["after"]);
    expect(old.client.connected).toBe(false);
  });
});

describe("wills across nodes", { timeout: 30_000 }, () => {
  it("[MQTT-3.1.2-8] the will of a client whose connection on a breaks reaches subscribers on b and c exactly once", async () => {
    const watchers = [await clients.connect(on("b")), await clients.connect(on("c"))];
    for (const watcher of watchers) await watcher.client.subscribeAsync("will/lost", { qos: 1 });
    const prober = await clients.connect(on("a"));
    await probeClients(prober.client, "will/lost", watchers);

    const dying = await clients.connect(on("a"), {
      clientId: "dies-on-a",
      will: { topic: "will/lost", payload: Buffer.from("lost"), qos: 1, retain: false },
    });
    dying.client.stream.destroy();

    for (const watcher of watchers) await waitForData(watcher, 1, "a will watcher");
    await fenceFromEveryNode("will/lost", watchers);
    for (const watcher of watchers) {
      expect(dataMessages(watcher.messages).map((m) => `${m.topic}=${m.payload}`)).toEqual([
        "will/lost=lost",
      ]);
    }
  });
});
