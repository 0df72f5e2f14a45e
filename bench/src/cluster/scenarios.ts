/**
 * The cluster suite's scenarios, run by the brokers suite's load generator process (this
 * module is its scenario module, see load/worker.ts): the same flows, with every client
 * placed on one of the cluster's nodes (`RunContext.nodes`) round-robin, so that messages
 * cross between nodes. Client counts divide by 1, 2 and 3, so each node gets the same share
 * whatever the cluster size, and the load is the same for every cluster size.
 */
import type { QoS } from "@ternmq/codec";
import {
  Flow,
  type ScenarioDefinition,
  type ScenarioResult,
  type Size,
  type Target,
} from "../brokers/load/index.js";
import { Meter } from "../brokers/load/meter.js";
import {
  flowOptions,
  measureThroughput,
  type RunContext,
  type RunOptions,
  range,
  runContext,
  singleTopicPublisher,
  THROUGHPUT,
  throughputResult,
} from "../brokers/load/scenarios.js";

export type ClusterScenarioId = "fan-out" | "qos1-clean" | "qos1-persistent" | "cross-node";

/** Scenario figures that are not metrics of the table: deliveries in the measured phase. */
export const DELIVERIES = "deliveries";

const SIZES: Readonly<
  Record<Size, { fanOutPublishers: number; fanOutSubscribers: number; pairs: number }>
> = {
  quick: { fanOutPublishers: 3, fanOutSubscribers: 6, pairs: 3 },
  full: { fanOutPublishers: 6, fanOutSubscribers: 60, pairs: 6 },
};

/** Messages of the cross-node measurement, and subscribers (all on node 1) that get each. */
export const CROSS_NODE = { quick: 500, full: 20_000, subscribers: 4 } as const;

function nodeOf(context: RunContext, index: number): Target {
  return context.nodes[index % context.nodes.length] as Target;
}

function withDeliveries<Id extends ClusterScenarioId>(
  result: ScenarioResult<Id>,
  deliveries: number,
): ScenarioResult<Id> {
  return { ...result, figures: { ...result.figures, [DELIVERIES]: deliveries } };
}

const fanOut: ScenarioDefinition<ClusterScenarioId> = {
  id: "fan-out",
  number: 1,
  title:
    `fan-out QoS 0: ${SIZES.full.fanOutPublishers} publishers -> ` +
    `${SIZES.full.fanOutSubscribers} subscribers on one topic, both spread over the nodes`,
  metrics: THROUGHPUT,
  async run(context) {
    const { fanOutPublishers, fanOutSubscribers } = SIZES[context.size];
    const topic = "bench/cluster/fan-out";
    const flow = await Flow.connect(
      context.target,
      flowOptions(context, "fan-out", {
        qos: 0,
        publishers: range(fanOutPublishers).map((index) => ({
          ...singleTopicPublisher(topic, 0, fanOutSubscribers),
          target: nodeOf(context, index),
        })),
        subscribers: range(fanOutSubscribers).map((index) => ({
          filters: [topic],
          filtersPerSubscribe: 1,
          target: nodeOf(context, index),
        })),
        window: 100,
        ordered: true,
      }),
    );
    const { result, phase } = await measureThroughput("fan-out", flow, context);
    return withDeliveries(result, phase.deliveries);
  },
};

function qos1Pairs(
  id: "qos1-clean" | "qos1-persistent",
  number: number,
): ScenarioDefinition<ClusterScenarioId> {
  const persistent = id === "qos1-persistent";
  return {
    id,
    number,
    title:
      `QoS 1: ${SIZES.full.pairs} publishers (window of 100 unacknowledged) -> ` +
      `${SIZES.full.pairs} ${persistent ? "persistent" : "clean"}-session subscribers, one ` +
      "topic per pair, each subscriber on another node than its publisher",
    metrics: THROUGHPUT,
    async run(context) {
      const { pairs } = SIZES[context.size];
      const flow = await Flow.connect(
        context.target,
        flowOptions(context, id, {
          qos: 1 satisfies QoS,
          publishers: range(pairs).map((index) => ({
            ...singleTopicPublisher(`bench/cluster/${id}/${index}`, 1, 1),
            target: nodeOf(context, index),
          })),
          subscribers: range(pairs).map((index) => ({
            filters: [`bench/cluster/${id}/${index}`],
            filtersPerSubscribe: 1,
            target: nodeOf(context, index + 1),
          })),
          window: 100,
          ordered: true,
          persistentSubscribers: persistent,
        }),
      );
      const { result, phase } = await measureThroughput(id, flow, context);
      return withDeliveries(result, phase.deliveries);
    },
  };
}

/**
 * Routing check (3 nodes): subscribers on node 1 only, one publisher on node 2, node 3 with a
 * subscriber of another topic; a fixed number of QoS 0 messages between the measure marks,
 * at which the driver reads what crossed to which node.
 */
const crossNode: ScenarioDefinition<ClusterScenarioId> = {
  id: "cross-node",
  number: 4,
  title:
    `cross-node traffic: 3 nodes, ${CROSS_NODE.subscribers} subscribers on node 1, a ` +
    `publisher on node 2 (${CROSS_NODE.full.toLocaleString("en-US")} QoS 0 messages in full ` +
    "mode), node 3 " +
    "holding only a subscriber of another topic",
  metrics: THROUGHPUT,
  async run(context) {
    if (context.nodes.length < 3) throw new Error("cross-node needs 3 nodes");
    const [node1, node2, node3] = context.nodes as [Target, Target, Target];
    const topic = "bench/cluster/route";
    const messages = CROSS_NODE[context.size];
    const flow = await Flow.connect(
      context.target,
      flowOptions(context, "cross-node", {
        qos: 0,
        publishers: [{ ...singleTopicPublisher(topic, 0, CROSS_NODE.subscribers), target: node2 }],
        subscribers: [
          ...range(CROSS_NODE.subscribers).map(() => ({
            filters: [topic],
            filtersPerSubscribe: 1,
            target: node1,
          })),
          { filters: ["bench/cluster/elsewhere"], filtersPerSubscribe: 1, target: node3 },
        ],
        window: 100,
        ordered: false,
      }),
    );
    try {
      await flow.subscribe();
      await flow.runPhase({ messagesPerPublisher: Math.min(messages, 1000) });
      const meter = new Meter();
      await context.hooks.mark("measure-start");
      meter.start();
      const phase = await flow.runPhase({ messagesPerPublisher: messages });
      meter.stop();
      await context.hooks.mark("measure-end");
      return withDeliveries(throughputResult("cross-node", phase, meter), phase.deliveries);
    } finally {
      flow.close();
    }
  },
};

/** The throughput scenarios, in run order. */
export const CLUSTER_SCENARIOS: readonly ScenarioDefinition<ClusterScenarioId>[] = [
  fanOut,
  qos1Pairs("qos1-clean", 2),
  qos1Pairs("qos1-persistent", 3),
];

export const CROSS_NODE_SCENARIO = crossNode;

/** The worker's entry point (same shape as the brokers suite's `runScenario`). */
export function runScenario(
  id: string,
  target: Target,
  options: RunOptions = {},
): Promise<ScenarioResult<ClusterScenarioId>> {
  const scenario = [...CLUSTER_SCENARIOS, crossNode].find((entry) => entry.id === id);
  if (scenario === undefined) throw new Error(`unknown cluster scenario ${id}`);
  return scenario.run(runContext(target, options));
}
