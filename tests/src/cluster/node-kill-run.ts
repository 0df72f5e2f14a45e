/**
 * kill -9 of cluster nodes under QoS 1 and QoS 2 load (issue 11): 3 nodes a, b, c;
 * persistent-session publishers on a and c (QoS 1 and QoS 2 on each), persistent-session
 * subscribers on a, b and c. Node b (a subscriber's node) is killed mid-stream, then node c
 * (two publishers' and a subscriber's node). Every client fails over to node a (failover-
 * streams.ts). At the end every acknowledged message must have reached every subscriber,
 * QoS 2 exactly once, first deliveries in each publisher's order, no session lost; the
 * survivors must have dropped the killed nodes (`$SYS/broker/cluster/nodes`).
 *
 * Design: a phase runs until `messagesPerPhase` more messages are acknowledged (counted over
 * all publishers) and every client is connected, then kills the next node. Killing right
 * after the count is reached leaves windows of unacknowledged messages in flight on the
 * killed node. The size is an option: the test runs a small one; bigger runs show more
 * interleavings.
 */
import type { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import type { TestCluster } from "./cluster-harness.js";
import {
  probeStreams,
  type StreamOutcome,
  StreamPublisher,
  StreamSubscriber,
  settleStreams,
  waitForProgress,
} from "./failover-streams.js";
import { SysReader } from "./sys-reader.js";

export interface NodeKillOptions {
  /** A cluster with nodes a, b and c. */
  cluster: TestCluster;
  /** For the `$SYS` reader and the probes. */
  clients: MqttJsClientPool;
  /** Acknowledged messages (all publishers) before each kill and after the last one. */
  messagesPerPhase: number;
  /** Bound of each wait for progress; default 30 s. */
  waitMs?: number;
}

export interface NodeKillReport extends StreamOutcome {
  /** `$SYS/broker/cluster/nodes` on a: at start, after b's kill, after c's kill. */
  nodesSeen: number[];
}

export async function runNodeKill(options: NodeKillOptions): Promise<NodeKillReport> {
  const { cluster, clients, messagesPerPhase } = options;
  const waitMs = options.waitMs ?? 30_000;
  const [a, b, c] = ["a", "b", "c"].map((node) => cluster.port(node)) as [number, number, number];
  const sysA = await SysReader.open(clients, a, "a");
  const nodesSeen = [await sysA.waitFor("nodes", (n) => n === 3, "= 3")];

  const publishers: StreamPublisher[] = [];
  const ledgers = () => publishers.map((publisher) => publisher.ledger);
  const subscribers = [
    await StreamSubscriber.start("stream-sub-on-a", [a], ledgers),
    await StreamSubscriber.start("stream-sub-on-b", [b, a], ledgers),
    await StreamSubscriber.start("stream-sub-on-c", [c, a], ledgers),
  ];
  // a and c publish: both must route the streams to every subscriber before they start.
  await probeStreams(clients, a, subscribers);
  await probeStreams(clients, c, subscribers);
  publishers.push(
    new StreamPublisher(0, 1, [a, c]),
    new StreamPublisher(1, 2, [a, c]),
    new StreamPublisher(2, 1, [c, a]),
    new StreamPublisher(3, 2, [c, a]),
  );
  const phase = (what: string) =>
    waitForProgress(publishers, subscribers, messagesPerPhase, what, waitMs);

  await phase("before killing b");
  await cluster.kill("b");
  nodesSeen.push(await sysA.waitFor("nodes", (n) => n === 2, "= 2 after b's kill"));
  await phase("after killing b");
  await cluster.kill("c");
  nodesSeen.push(await sysA.waitFor("nodes", (n) => n === 1, "= 1 after c's kill"));
  await phase("after killing c");

  // Every client is on a now.
  const outcome = await settleStreams(clients, publishers, subscribers, a, waitMs);
  return { ...outcome, nodesSeen };
}
