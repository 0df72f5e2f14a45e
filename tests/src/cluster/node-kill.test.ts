/**
 * A node killed with SIGKILL (issue 11): its clients resume their persistent sessions on
 * another node with no acknowledged message lost and no QoS 2 message duplicated, the
 * survivors drop it from the cluster after the node expiry, and the wills of its connections
 * are published once, by a survivor. A small run here (node-kill-run.ts takes the size).
 */
import { afterEach, expect, it } from "vitest";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil } from "../helpers/with-timeout.js";
import { closeAllClusters, startCluster, UNBOUNDED_QUEUES_YAML } from "./cluster-harness.js";
import { closeAllStreamClients } from "./failover-streams.js";
import { runNodeKill } from "./node-kill-run.js";
import { dataMessages, probeClients } from "./route-probes.js";
import { SysReader } from "./sys-reader.js";

const clients = new MqttJsClientPool();

afterEach(async () => {
  await closeAllStreamClients();
  await clients.closeAll();
  await closeAllClusters();
});

it("kill -9 of a subscriber's node, then of two publishers' node, under QoS 1 and QoS 2 streams: every acknowledged message delivered, QoS 2 exactly once, in order", async () => {
  const cluster = await startCluster({ nodes: ["a", "b", "c"], configYaml: UNBOUNDED_QUEUES_YAML });
  const report = await runNodeKill({ cluster, clients, messagesPerPhase: 150 });
  expect(
    report.violations,
    `CONNACK refusals while failing over: ${report.refusals.join("; ") || "none"}`,
  ).toEqual([]);
  expect(report.duplicatesQoS2).toBe(0);
  expect(report.nodesSeen).toEqual([3, 2, 1]);
  // Not vacuous: messages were acknowledged across both kills, and each of the 3 subscribers
  // got each of them.
  expect(report.acked).toBeGreaterThanOrEqual(450);
  expect(report.delivered).toBeGreaterThanOrEqual(3 * report.acked);
}, 90_000);

it("[MQTT-3.1.2-8] the will of a client on a killed node is published once, by a surviving node, after the node expiry", async () => {
  const cluster = await startCluster({ nodes: ["a", "b", "c"] });
  const watchers = [
    await clients.connect(cluster.port("a")),
    await clients.connect(cluster.port("c")),
  ];
  for (const watcher of watchers) await watcher.client.subscribeAsync("orphan/will", { qos: 1 });
  // Either survivor may publish the will: each must route it to the other's watcher.
  for (const node of ["a", "c"]) {
    const prober = await clients.connect(cluster.port(node));
    await probeClients(prober.client, "orphan/will", watchers);
  }
  await clients.connect(cluster.port("b"), {
    clientId: "orphan",
    will: { topic: "orphan/will", payload: Buffer.from("node died"), qos: 1, retain: false },
  });
  const sysA = await SysReader.open(clients, cluster.port("a"), "a");
  await sysA.waitFor("nodes", (nodes) => nodes === 3, "= 3");

  await cluster.kill("b");
  await sysA.waitFor("nodes", (nodes) => nodes === 2, "= 2 after b's kill");
  for (const watcher of watchers) {
    await waitUntil(
      () => dataMessages(watcher.messages).length >= 1,
      5_000,
      () => "the orphan will",
    );
  }
  for (const node of ["a", "c"]) {
    const prober = await clients.connect(cluster.port(node));
    await probeClients(prober.client, "orphan/will", watchers);
  }
  for (const watcher of watchers) {
    expect(dataMessages(watcher.messages).map((m) => m.payload)).toEqual(["node died"]);
  }
}, 60_000);
