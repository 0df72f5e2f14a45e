/**
 * A 3-node TernMQ cluster over Redis (issue 11) behaves as one broker for PUBLISH: a message
 * published on node a reaches the matching subscribers on nodes b and c once each, in order,
 * through wildcards; it crosses only to the nodes that have a matching subscriber (their
 * `$SYS/broker/cluster/messages/received` counters say so); retained messages are shared by
 * every node. MQTT.js clients, and mosquitto_pub / mosquitto_sub for a third-party client.
 */
import type { QoS } from "@ternmq/codec";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MosquittoClients, messageFormat } from "../helpers/mosquitto-clients.js";
import { type ConnectedClient, MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { RawClient } from "../helpers/raw-client.js";
import { waitUntil } from "../helpers/with-timeout.js";
import { closeAllClusters, startCluster, type TestCluster } from "./cluster-harness.js";
import { dataMessages, hasProbe, probeClients, probeUntil } from "./route-probes.js";
import { SysReader } from "./sys-reader.js";

const qosLevels: readonly QoS[] = [0, 1, 2];
/** `mosquitto_sub -d` prints this once the broker has acknowledged the subscription. */
const subscribed = /^Subscribed \(mid: \d+\):/;

let cluster: TestCluster;
const clients = new MqttJsClientPool();
const mosquitto = new MosquittoClients();

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["a", "b", "c"] });
}, 90_000);

afterEach(async () => {
  await mosquitto.killAll();
  await clients.closeAll();
});

afterAll(closeAllClusters);

const on = (node: string) => cluster.port(node);
const connectPacket = (clientId: string, clean: boolean) =>
  ({
    type: "connect",
    protocolVersion: 4,
    clientId,
    clean,
    keepalive: 60,
  }) as const;
const server = (node: string) => ["-h", "127.0.0.1", "-p", String(on(node))];

/** Waits until `receiver` holds `count` messages that are not probes. */
async function waitForData(receiver: ConnectedClient, count: number, what: string): Promise<void> {
  await waitUntil(
    () => dataMessages(receiver.messages).length >= count,
    5_000,
    () => {
      const got = dataMessages(receiver.messages).map((m) => `${m.topic}=${m.payload}`);
      return `${count} message(s) at ${what}; got ${got.length}: [${got.slice(0, 20).join(", ")}]`;
    },
  );
}

describe("cross-node delivery", { timeout: 30_000 }, () => {
  it("QoS 0, 1 and 2 messages published on a reach subscribers on b and c once each, in order, at the published QoS", async () => {
    const receivers = [await clients.connect(on("b")), await clients.connect(on("c"))];
    for (const receiver of receivers) await receiver.client.subscribeAsync("deliver/#", { qos: 2 });
    const publisher = await clients.connect(on("a"));
    await probeClients(publisher.client, "deliver/probe", receivers);

    const perQoS = 20;
    const sends: Promise<unknown>[] = [];
    for (let index = 0; index < perQoS; index += 1) {
      for (const qos of qosLevels) {
        sends.push(publisher.client.publishAsync(`deliver/q${qos}`, String(index), { qos }));
      }
    }
    await Promise.all(sends);
    await waitForData(receivers[0] as ConnectedClient, perQoS * qosLevels.length, "b");
    await waitForData(receivers[1] as ConnectedClient, perQoS * qosLevels.length, "c");
    // Fence: a copy sent by a after the messages would have arrived before this probe.
    await probeClients(publisher.client, "deliver/probe", receivers);

    const expected = Array.from({ length: perQoS }, (_, index) => String(index));
    for (const receiver of receivers) {
      const data = dataMessages(receiver.messages);
      expect(data).toHaveLength(perQoS * qosLevels.length);
      // MQTT.js emits a QoS 2 message on PUBREL, so order is checked per QoS level.
      for (const qos of qosLevels) {
        const stream = data.filter((message) => message.topic === `deliver/q${qos}`);
        expect(stream.map((message) => message.payload)).toEqual(expected);
        expect(stream.every((message) => message.qos === qos && !message.dup)).toBe(true);
      }
    }
  });

  it("a QoS 1 message published on a right after the SUBACK of a subscriber on b is delivered (the SUBACK waits until every node knows the route)", async () => {
    // Raw clients: the PUBLISH leaves within microseconds of the SUBACK's arrival.
    const publisher = await RawClient.connect(on("a"));
    const subscribers: RawClient[] = [publisher];
    try {
      publisher.send(connectPacket("after-suback-publisher", true));
      await publisher.expectPacket("connack");
      for (let trial = 0; trial < 40; trial += 1) {
        const clean = trial % 2 === 0;
        const subscriber = await RawClient.connect(on("b"));
        subscribers.push(subscriber);
        subscriber.send(connectPacket(`after-suback-${trial}`, clean));
        await subscriber.expectPacket("connack");
        const topic = `after-suback/${trial}`;
        subscriber.send({
          type: "subscribe",
          packetId: 1,
          subscriptions: [{ topicFilter: topic, qos: 1 }],
        });
        await subscriber.expectPacket("suback");
        publisher.send({
          type: "publish",
          topic,
          payload: Buffer.from(String(trial)),
          qos: 1,
          packetId: trial + 1,
          retain: false,
          dup: false,
        });
        const delivered = await subscriber.expectPacket("publish");
        expect({ trial, topic: delivered.topic }).toEqual({ trial, topic });
        subscriber.send({ type: "disconnect" });
      }
    } finally {
      for (const client of subscribers) client.destroy();
    }
  });

  it("[MQTT-4.7.1-2] [MQTT-4.7.1-3] '#' and '+' filters on b and c select the topics published on a", async () => {
    const onB = await clients.connect(on("b"));
    await onB.client.subscribeAsync("home/+/temp", { qos: 1 });
    const onC = await clients.connect(on("c"));
    await onC.client.subscribeAsync(["home/#", "+/+/door"], { qos: 1 });
    const publisher = await clients.connect(on("a"));
    await probeClients(publisher.client, "home/probe/temp", [onB, onC]);
    await probeClients(publisher.client, "probe/probe/door", [onC]);

    const topics = [
      "home/kitchen/temp",
      "home/hall/temp",
      "home/kitchen/humidity",
      "home",
      "home/hall",
      "garage/side/door",
      "cellar/temp",
      "home/kitchen/temp/max",
    ];
    for (const topic of topics) await publisher.client.publishAsync(topic, "x", { qos: 1 });
    const expectedOnB = ["home/kitchen/temp", "home/hall/temp"];
    const expectedOnC = [
      "home/kitchen/temp",
      "home/hall/temp",
      "home/kitchen/humidity",
      "home",
      "home/hall",
      "garage/side/door",
      "home/kitchen/temp/max",
    ];
    await waitForData(onB, expectedOnB.length, "b");
    await waitForData(onC, expectedOnC.length, "c");
    await probeClients(publisher.client, "home/probe/temp", [onB, onC]);
    expect(dataMessages(onB.messages).map((message) => message.topic)).toEqual(expectedOnB);
    expect(dataMessages(onC.messages).map((message) => message.topic)).toEqual(expectedOnC);
  });

  it("a PUBLISH crosses only to the node with a matching subscriber: c receives nothing, a forwards one copy per message", async () => {
    const [sysA, sysB, sysC] = await Promise.all(
      ["a", "b", "c"].map((node) => SysReader.open(clients, on(node), node)),
    );
    if (sysA === undefined || sysB === undefined || sysC === undefined) throw new Error("readers");
    const onB = await clients.connect(on("b"));
    await onB.client.subscribeAsync("only-b/#", { qos: 1 });
    const publisher = await clients.connect(on("a"));
    await probeClients(publisher.client, "only-b/probe", [onB]);
    // Baselines after the probes, at a tick of each node.
    await Promise.all([sysA.nextTick(), sysB.nextTick(), sysC.nextTick()]);
    const forwardedByA = sysA.value("messages/forwarded") ?? Number.NaN;
    const receivedByB = sysB.value("messages/received") ?? Number.NaN;
    const receivedByC = sysC.value("messages/received") ?? Number.NaN;
    expect([forwardedByA, receivedByB, receivedByC].every(Number.isInteger)).toBe(true);

    const count = 20;
    for (let index = 0; index < count; index += 1) {
      await publisher.client.publishAsync(`only-b/${index % 3}`, String(index), { qos: 1 });
    }
    await waitForData(onB, count, "b");
    await sysB.waitFor("messages/received", (value) => value >= receivedByB + count, "+20");
    await sysA.waitFor("messages/forwarded", (value) => value >= forwardedByA + count, "+20");
    await sysC.nextTick();
    // The counters of one tick include every copy a sent in the same turn as b's.
    expect(sysA.value("messages/forwarded")).toBe(forwardedByA + count);
    expect(sysB.value("messages/received")).toBe(receivedByB + count);
    expect(sysC.value("messages/received")).toBe(receivedByC);
    expect(sysA.raw("node")).toBe("a");
    expect(sysC.value("nodes")).toBe(3);
    // Cluster-wide: the 3 readers, the subscriber on b and the publisher on a, seen from c.
    await sysC.waitFor("clients/connected", (clients) => clients === 5, "= 5");
  });

  it("mosquitto_pub on a reaches mosquitto_sub on c and an MQTT.js subscriber on b at QoS 0, 1 and 2", async () => {
    const subscriber = mosquitto.sub([
      ...server("c"),
      ...["-V", "mqttv311", "-d", "-F", messageFormat, "-t", "cli/#", "-q", "2"],
    ]);
    await subscriber.waitForLine(subscribed);
    const onB = await clients.connect(on("b"));
    await onB.client.subscribeAsync("cli/#", { qos: 2 });
    const prober = await clients.connect(on("a"));
    const probeBoth = () =>
      probeUntil(
        (payload) => prober.client.publishAsync("cli/probe", payload, { qos: 0 }),
        (tag) => hasProbe(subscriber.messages, tag) && hasProbe(onB.messages, tag),
        () => "cli/probe from a to mosquitto_sub on c and MQTT.js on b",
      );
    await probeBoth();

    for (const qos of qosLevels) {
      await mosquitto.pub([
        ...server("a"),
        ...["-V", "mqttv311", "-t", `cli/q${qos}`, "-q", String(qos), "-m", `m${qos}`],
      ]);
    }
    await waitUntil(
      () => dataMessages(subscriber.messages).length >= qosLevels.length,
      5_000,
      () => `3 messages at mosquitto_sub on c: ${JSON.stringify(subscriber.messages)}`,
    );
    await waitForData(onB, qosLevels.length, "b");
    await probeBoth();

    const expected = qosLevels.map((qos) => ({ topic: `cli/q${qos}`, qos, payload: `m${qos}` }));
    const byTopic = (a: { topic: string }, b: { topic: string }) => a.topic.localeCompare(b.topic);
    const printed = dataMessages(subscriber.messages).map(({ topic, qos, payload }) => ({
      topic,
      qos,
      payload,
    }));
    expect(printed.sort(byTopic)).toEqual(expected);
    const received = dataMessages(onB.messages).map(({ topic, qos, payload }) => ({
      topic,
      qos,
      payload,
    }));
    expect(received.sort(byTopic)).toEqual(expected);
  });
});

describe("retained messages across nodes", { timeout: 30_000 }, () => {
  it("[MQTT-3.3.1-6] a retained message set on a reaches a new subscriber on b; [MQTT-3.3.1-10] an empty retained message from c deletes it on every node", async () => {
    const setter = await clients.connect(on("a"));
    await setter.client.publishAsync("retained/door", "open", { qos: 1, retain: true });
    await setter.client.publishAsync("retained/window", "shut", { qos: 1, retain: true });

    const onB = await clients.connect(on("b"));
    await onB.client.subscribeAsync("retained/door", { qos: 1 });
    await onB.waitForMessages(1);
    expect(onB.messages[0]).toMatchObject({
      topic: "retained/door",
      payload: "open",
      retain: true,
    });

    // Deleted by a third-party client on the third node.
    await mosquitto.pub([...server("c"), "-t", "retained/door", "-q", "1", "-r", "-n"]);

    for (const node of ["a", "b", "c"]) {
      const late = await clients.connect(on(node));
      await late.client.subscribeAsync("retained/#", { qos: 1 });
      // The retained message that stays arrives; the deleted one would have come with it.
      await late.waitForMessages(1);
      await probeClients(late.client, "retained/probe", [late]);
      const retained = late.messages.filter((message) => message.retain);
      expect(
        retained.map((m) => `${m.topic}=${m.payload}`),
        `node ${node}`,
      ).toEqual(["retained/window=shut"]);
    }
  });
});
