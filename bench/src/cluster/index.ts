/**
 * `pnpm bench cluster [--quick] [--runs N] [--out file.json] [--nodes 1,2,3]
 * [--brokers ternmq,aedes] [--scenarios fan-out,qos1-clean,qos1-persistent,cross-node]`:
 * TernMQ's cluster mode beside Aedes on Redis (mqemitter-redis + aedes-persistence-redis),
 * with 1, 2 and 3 nodes, each node its own process and one fresh redis-server per cluster,
 * under the brokers suite's load generator (another process) with clients spread round-robin
 * over the nodes. Prints one table per scenario (medians, TernMQ / Aedes per size, N-node /
 * 1-node scaling, CPU of generator, nodes and Redis, Redis bytes per delivered message), then
 * the routing check on 3 nodes (what crosses to which node), and writes every measurement to
 * a JSON file.
 *
 * Quick mode: tiny sizes, one run, a harness check (no meaningful figures). Full mode:
 * `--runs` repetitions (at least 3), cluster sizes and brokers interleaved, medians.
 */
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { installCleanup } from "../brokers/driver/processes.js";
import { writeResults } from "../brokers/driver/report.js";
import { LoadWorker, type Size, type Target } from "../brokers/load/index.js";
import { ChannelMonitor } from "./channel-monitor.js";
import {
  CLUSTER_BROKERS,
  CLUSTER_LABELS,
  type ClusterBroker,
  type RunningCluster,
  startCluster,
} from "./nodes.js";
import {
  type ClusterMeasurement,
  type CrossNodeResult,
  formatCrossNode,
  formatTables,
  summarize,
} from "./report.js";
import {
  CLUSTER_SCENARIOS,
  type ClusterScenarioId,
  CROSS_NODE,
  CROSS_NODE_SCENARIO,
  DELIVERIES,
} from "./scenarios.js";
import { FORWARDED, RECEIVED, SysCounters } from "./sys-counters.js";

const CLUSTER_SIZES = [1, 2, 3] as const;

function pick<T extends string | number>(
  list: string | undefined,
  known: readonly T[],
  what: string,
): T[] {
  if (list === undefined) return [...known];
  const names = list.split(",").filter((name) => name !== "");
  const unknown = names.filter((name) => !known.some((entry) => String(entry) === name));
  if (unknown.length > 0)
    throw new Error(`unknown ${what}: ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return known.filter((entry) => names.includes(String(entry)));
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Runs one throughput scenario against a cluster, reading its processes at the marks. */
async function measure(
  worker: LoadWorker,
  cluster: RunningCluster,
  scenario: ClusterScenarioId,
  size: Size,
  repetition: number,
): Promise<ClusterMeasurement> {
  let cpuAtStart = cluster.cpu();
  let countersAtStart = await cluster.redisCounters();
  let wallAtStart = 0;
  let nodesMs = 0;
  let redisMs = 0;
  let wallMs = 0;
  let redisBytes = 0;
  let loadAverage = Number.NaN;
  const onMark = async (point: string): Promise<void> => {
    if (point === "measure-start") {
      countersAtStart = await cluster.redisCounters();
      cpuAtStart = cluster.cpu();
      wallAtStart = performance.now();
    } else if (point === "measure-end") {
      const cpu = cluster.cpu();
      wallMs += performance.now() - wallAtStart;
      loadAverage = loadavg()[0] ?? Number.NaN;
      nodesMs += cpu.nodes - cpuAtStart.nodes;
      redisMs += cpu.redis - cpuAtStart.redis;
      const counters = await cluster.redisCounters();
      redisBytes +=
        counters.inputBytes -
        countersAtStart.inputBytes +
        (counters.outputBytes - countersAtStart.outputBytes);
    }
  };
  const [first] = cluster.targets as [Target];
  const runId = `${cluster.broker}-${cluster.targets.length}n-r${repetition}-${process.pid}`;
  const result = await worker.run(scenario, first, size, runId, onMark, cluster.targets);
  const deliveries = result.figures[DELIVERIES] ?? Number.NaN;
  return {
    broker: cluster.broker,
    nodes: cluster.targets.length,
    scenario,
    repetition,
    throughput: result.figures.throughput ?? Number.NaN,
    deliveries,
    lost: result.lost,
    duplicates: result.duplicates,
    cpu: { generator: result.generatorCpu, nodes: nodesMs / wallMs, redis: redisMs / wallMs },
    redisBytesPerDelivery: redisBytes / deliveries,
    loadAverage,
  };
}

/**
 * The routing check on 3 nodes: messages published on node 2 for subscribers on node 1 only.
 * Over the timed part: TernMQ's `$SYS` cluster counters of each node, the frames Redis
 * delivered on each node's message channel (TernMQ), Redis's command calls and bytes.
 */
async function crossNode(
  worker: LoadWorker,
  broker: ClusterBroker,
  size: Size,
): Promise<CrossNodeResult> {
  const cluster = await startCluster(broker, 3, { sysInterval: 1 });
  const counters: SysCounters[] = [];
  let monitor: ChannelMonitor | undefined;
  try {
    if (broker === "ternmq") {
      for (const [index, target] of cluster.targets.entries()) {
        counters.push(await SysCounters.open(target, `cross-node-sys-${index}-${process.pid}`));
      }
      monitor = await ChannelMonitor.open(cluster.redisUrl);
    }
    const read = (): { forwarded: number[]; received: number[] } => ({
      forwarded: counters.map((entry) => entry.value(FORWARDED)),
      received: counters.map((entry) => entry.value(RECEIVED)),
    });
    let before = read();
    let after = before;
    let redisBefore = await cluster.redisCounters();
    let redisAfter = redisBefore;
    let monitorBytes = 0;
    const onMark = async (point: string): Promise<void> => {
      await Promise.all(counters.map((entry) => entry.settle()));
      if (point === "measure-start") {
        before = read();
        monitor?.start();
        monitorBytes = monitor?.sentToMonitor ?? 0;
        redisBefore = await cluster.redisCounters();
      } else if (point === "measure-end") {
        redisAfter = await cluster.redisCounters();
        monitor?.stop();
        monitorBytes = (monitor?.sentToMonitor ?? 0) - monitorBytes;
        after = read();
      }
    };
    const [first] = cluster.targets as [Target];
    const runId = `${broker}-cross-node-${process.pid}`;
    const result = await worker.run("cross-node", first, size, runId, onMark, cluster.targets);
    const messages = CROSS_NODE[size];
    const delta = (list: "forwarded" | "received"): number[] =>
      broker === "ternmq"
        ? after[list].map((value, node) => value - (before[list][node] ?? Number.NaN))
        : [Number.NaN, Number.NaN, Number.NaN];
    const redisCalls: Record<string, number> = {};
    for (const [command, calls] of Object.entries(redisAfter.calls)) {
      const called = calls - (redisBefore.calls[command] ?? 0);
      // INFO is the driver's own.
      if (called > 0 && command !== "info") redisCalls[command] = called;
    }
    return {
      broker,
      messages,
      deliveries: result.figures[DELIVERIES] ?? Number.NaN,
      lost: result.lost,
      forwarded: delta("forwarded"),
      received: delta("received"),
      frames: cluster.nodeIds.map((nodeId) => monitor?.frames(nodeId) ?? Number.NaN),
      redisCalls,
      redisInputBytesPerMessage: (redisAfter.inputBytes - redisBefore.inputBytes) / messages,
      redisOutputBytesPerMessage:
        (redisAfter.outputBytes - redisBefore.outputBytes - monitorBytes) / messages,
    };
  } finally {
    monitor?.close();
    for (const entry of counters) entry.close();
    await cluster.stop();
  }
}

export async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      out: { type: "string" },
      nodes: { type: "string" },
      brokers: { type: "string" },
      scenarios: { type: "string" },
    },
  });
  const size: Size = values.quick ? "quick" : "full";
  const repetitions = values.quick ? 1 : Math.max(3, Number(values.runs ?? 3));
  const sizes = pick(values.nodes, CLUSTER_SIZES, "cluster size");
  const brokers = pick(values.brokers, CLUSTER_BROKERS, "broker");
  const scenarioIds = pick(
    values.scenarios,
    [...CLUSTER_SCENARIOS, CROSS_NODE_SCENARIO].map((scenario) => scenario.id),
    "scenario",
  );
  const scenarios = CLUSTER_SCENARIOS.filter((scenario) => scenarioIds.includes(scenario.id));
  const out = resolve(values.out ?? join(tmpdir(), `ternmq-bench-cluster-${Date.now()}.json`));

  installCleanup();
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    loadAverageAtStart: loadavg(),
  };
  console.log(
    `${size} mode, ${repetitions} run(s), ${sizes.join("/")} node(s); ${machine.cpus} CPUs ` +
      `(${machine.cpuModel}), Node ${machine.node}; load average ` +
      machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(" "),
  );
  const startedAt = new Date().toISOString();
  const measurements: ClusterMeasurement[] = [];
  const crossNodeResults: CrossNodeResult[] = [];
  const worker = await LoadWorker.start(new URL("./scenarios.ts", import.meta.url));
  try {
    for (let repetition = 1; repetition <= repetitions && scenarios.length > 0; repetition += 1) {
      for (const nodes of sizes) {
        for (const broker of brokers) {
          const label = `${CLUSTER_LABELS[broker]} x${nodes}`;
          let cluster: RunningCluster | undefined;
          try {
            cluster = await startCluster(broker, nodes);
          } catch (error) {
            console.log(`  run ${repetition} ${label} did not start: ${errorText(error)}`);
            for (const scenario of scenarios) {
              measurements.push(failed(broker, nodes, scenario.id, repetition, error));
            }
            process.exitCode = 1;
            continue;
          }
          try {
            for (const scenario of scenarios) {
              const started = performance.now();
              try {
                const measurement = await measure(worker, cluster, scenario.id, size, repetition);
                measurements.push(measurement);
                console.log(
                  `  run ${repetition} ${label.padEnd(10)} ${scenario.id.padEnd(16)} ` +
                    `${Math.round(measurement.throughput)} msg/s lost=${measurement.lost} ` +
                    `dup=${measurement.duplicates} nodes CPU ` +
                    `${Math.round(measurement.cpu.nodes * 100)}% redis ` +
                    `${Math.round(measurement.cpu.redis * 100)}% gen ` +
                    `${Math.round(measurement.cpu.generator * 100)}% ` +
                    `load ${measurement.loadAverage.toFixed(1)} ` +
                    `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
                );
              } catch (error) {
                const message = `${errorText(error)}\n    nodes: ${cluster.status()}`;
                measurements.push(failed(broker, nodes, scenario.id, repetition, message));
                console.log(`  run ${repetition} ${label} ${scenario.id} FAILED: ${message}`);
                process.exitCode = 1;
              }
            }
          } finally {
            await cluster.stop();
          }
        }
      }
    }
    for (const broker of scenarioIds.includes("cross-node") ? brokers : []) {
      try {
        crossNodeResults.push(await crossNode(worker, broker, size));
      } catch (error) {
        crossNodeResults.push({
          broker,
          messages: 0,
          deliveries: 0,
          lost: 0,
          forwarded: [],
          received: [],
          frames: [],
          redisCalls: {},
          redisInputBytesPerMessage: Number.NaN,
          redisOutputBytesPerMessage: Number.NaN,
          error: errorText(error),
        });
        console.log(`  ${CLUSTER_LABELS[broker]} cross-node FAILED: ${errorText(error)}`);
        process.exitCode = 1;
      }
    }
  } finally {
    await worker.stop();
  }
  const summaries = summarize(
    measurements,
    scenarios.map((scenario) => scenario.id),
    brokers,
    sizes,
  );
  const loadAverageAtEnd = loadavg();
  console.log("");
  console.log(formatTables(summaries, scenarios));
  if (crossNodeResults.length > 0) {
    console.log("");
    console.log(formatCrossNode(crossNodeResults, CROSS_NODE_SCENARIO.title));
  }
  console.log(
    "\nTernMQ/Aedes: TernMQ's median over Aedes's at the same cluster size (> 1: TernMQ " +
      "delivers more). vs 1 node: the broker's median over its own 1-node median. gen / nodes " +
      "/ redis CPU: CPU time over wall time of the load generator, of all broker nodes " +
      "together, and of redis-server during the timed part (100% = one core; this machine " +
      `has ${machine.cpus}). Redis B/msg: bytes into plus out of Redis per delivered message. ` +
      "lost: missing plus duplicated deliveries. n fwd/recv/frames: the node's $SYS cluster " +
      "messages forwarded / received, and the frames Redis delivered on its message channel, " +
      "over the timed part. Load average at end: " +
      loadAverageAtEnd.map((load) => load.toFixed(2)).join(" "),
  );
  await writeResults(out, {
    startedAt,
    size,
    repetitions,
    machine: { ...machine, loadAverageAtEnd },
    summaries,
    measurements,
    crossNode: crossNodeResults,
  });
}

function failed(
  broker: ClusterBroker,
  nodes: number,
  scenario: ClusterScenarioId,
  repetition: number,
  error: unknown,
): ClusterMeasurement {
  return {
    broker,
    nodes,
    scenario,
    repetition,
    throughput: Number.NaN,
    deliveries: 0,
    lost: 0,
    duplicates: 0,
    cpu: { generator: Number.NaN, nodes: Number.NaN, redis: Number.NaN },
    redisBytesPerDelivery: Number.NaN,
    loadAverage: Number.NaN,
    error: errorText(error),
  };
}
