/**
 * Redis restart under load (issue 11): with Redis down, the nodes keep serving clean-session
 * traffic that stays on one node, refuse what they cannot guarantee (a persistent CONNECT
 * gets CONNACK 3, "server unavailable"), and hold the PUBACKs of messages that must be
 * stored; when Redis is back (append-only, so its data survived) they recover by themselves
 * and the stream between persistent sessions completes with no acknowledged message lost.
 */
import type { ErrorWithReasonCode } from "mqtt";
import { afterEach, expect, it } from "vitest";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, withTimeout } from "../helpers/with-timeout.js";
import {
  closeAllClusters,
  NODE_TTL_MS,
  startCluster,
  UNBOUNDED_QUEUES_YAML,
} from "./cluster-harness.js";
import {
  closeAllStreamClients,
  probeStreams,
  StreamPublisher,
  StreamSubscriber,
  settleStreams,
  waitForProgress,
} from "./failover-streams.js";
import { dataMessages, probeClients } from "./route-probes.js";
import { SysReader } from "./sys-reader.js";

const clients = new MqttJsClientPool();
/** CONNACK return code 3 (3.1.1): "Connection Refused, Server unavailable". */
const SERVER_UNAVAILABLE = 3;
const messagesPerPhase = 100;

afterEach(async () => {
  await closeAllStreamClients();
  await clients.closeAll();
  await closeAllClusters();
});

/** The CONNACK refusal code of a persistent CONNECT on `port`, or 0 when it was accepted. */
async function persistentConnect(port: number, clientId: string): Promise<number> {
  try {
    await clients.connect(port, { clientId, clean: false });
    return 0;
  } catch (error) {
    const code = (error as Partial<ErrorWithReasonCode>).code;
    if (typeof code === "number") return code;
    throw error;
  }
}

it("Redis killed during a QoS 1 stream between persistent sessions on a and b: clean traffic on a flows, persistent CONNECTs get CONNACK 3, then the nodes recover and nothing acknowledged is lost", async () => {
  const cluster = await startCluster({
    nodes: ["a", "b"],
    appendOnly: true,
    configYaml: UNBOUNDED_QUEUES_YAML,
  });
  const [a, b] = [cluster.port("a"), cluster.port("b")];
  const publishers: StreamPublisher[] = [];
  const subscribers = [
    await StreamSubscriber.start("outage-sub-on-b", [b], () => publishers.map((p) => p.ledger)),
  ];
  await probeStreams(clients, a, subscribers);
  publishers.push(new StreamPublisher(0, 1, [a]));
  const localSubscriber = await clients.connect(a);
  await localSubscriber.client.subscribeAsync("local/#", { qos: 1 });
  const localPublisher = await clients.connect(a);
  // Clean state that crosses nodes and must survive the outage: a route from a to a clean
  // subscriber on b, and a live client on b whose will must not be published.
  const acrossSubscriber = await clients.connect(b);
  await acrossSubscriber.client.subscribeAsync("across/outage", { qos: 0 });
  const acrossPublisher = await clients.connect(a);
  await probeClients(acrossPublisher.client, "across/outage", [acrossSubscriber]);
  const willWatcher = await clients.connect(a);
  await willWatcher.client.subscribeAsync("outage/will", { qos: 1 });
  const willHolder = await clients.connect(b, {
    will: { topic: "outage/will", payload: Buffer.from("b lost"), qos: 1, retain: false },
  });
  await probeClients(willHolder.client, "outage/will", [willWatcher]);
  const sysReaders = [await SysReader.open(clients, a, "a"), await SysReader.open(clients, b, "b")];
  for (const sys of sysReaders) await sys.waitFor("nodes", (nodes) => nodes === 2, "= 2");
  await waitForProgress(publishers, subscribers, messagesPerPhase, "before the outage", 30_000);

  await cluster.redis.kill();
  // Clean sessions on one node need no store: QoS 0 and QoS 1 (PUBACK included) still work.
  const count = 10;
  for (let index = 0; index < count; index += 1) {
    await localPublisher.client.publishAsync("local/q0", String(index), { qos: 0 });
    await withTimeout(
      localPublisher.client.publishAsync("local/q1", String(index), { qos: 1 }),
      5_000,
      () => `the PUBACK of clean local QoS 1 message ${index} on a while Redis is down`,
    );
  }
  await localSubscriber.waitForMessages(2 * count, 5_000);
  const expected = Array.from({ length: count }, (_, index) => String(index));
  for (const topic of ["local/q0", "local/q1"]) {
    const payloads = dataMessages(localSubscriber.messages)
      .filter((message) => message.topic === topic)
      .map((message) => message.payload);
    expect(payloads, topic).toEqual(expected);
  }
  expect(await persistentConnect(a, "refused-on-a")).toBe(SERVER_UNAVAILABLE);
  expect(await persistentConnect(b, "refused-on-b")).toBe(SERVER_UNAVAILABLE);

  // Down for longer than the node expiry: every heartbeat has expired when Redis is back,
  // and no node may take a live peer for dead.
  await sleep(3 * NODE_TTL_MS);
  await cluster.redis.start();
  // Recovered by themselves: a persistent CONNECT is accepted again (after a reconnect delay).
  for (const [port, clientId] of [
    [a, "accepted-on-a"],
    [b, "accepted-on-b"],
  ] as const) {
    const deadline = Date.now() + 15_000;
    let code = await persistentConnect(port, clientId);
    while (code === SERVER_UNAVAILABLE && Date.now() < deadline) {
      await sleep(100);
      code = await persistentConnect(port, clientId);
    }
    expect(code, `persistent CONNECT ${clientId} after Redis came back`).toBe(0);
  }
  await waitForProgress(publishers, subscribers, messagesPerPhase, "after the outage", 30_000);

  const outcome = await settleStreams(clients, publishers, subscribers, a, 30_000);
  expect(outcome.violations, `CONNACK refusals: ${outcome.refusals.join("; ") || "none"}`).toEqual(
    [],
  );
  expect(outcome.acked).toBeGreaterThanOrEqual(2 * messagesPerPhase);
  // The cluster is whole again, and nobody took a live node for dead: both nodes are
  // counted, a's route to b's clean subscriber still works, b's client's will was not sent.
  for (const sys of sysReaders) await sys.waitFor("nodes", (nodes) => nodes === 2, "= 2 again");
  await probeClients(acrossPublisher.client, "across/outage", [acrossSubscriber]);
  await probeClients(willHolder.client, "outage/will", [willWatcher]);
  await probeClients(acrossPublisher.client, "outage/will", [willWatcher]);
  expect(dataMessages(willWatcher.messages)).toEqual([]);
  expect(willHolder.client.connected).toBe(true);
}, 90_000);
