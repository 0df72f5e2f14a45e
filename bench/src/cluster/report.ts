/**
 * Results of the cluster suite: medians over repetitions per scenario, broker and cluster
 * size, the ratio TernMQ / Aedes per size and each broker's N-node / 1-node scaling, where
 * the CPU went (load generator, broker nodes, redis-server), and the cross-node routing
 * check. Tables are plain text that is also valid Markdown.
 */
import { median } from "../brokers/driver/report.js";
import type { ScenarioDefinition } from "../brokers/load/index.js";
import { CLUSTER_LABELS, type ClusterBroker } from "./nodes.js";
import type { ClusterScenarioId } from "./scenarios.js";

/** CPU time over wall time of each process group in the timed part (1 = one core). */
export interface CpuShares {
  readonly generator: number;
  readonly nodes: number;
  readonly redis: number;
}

/** One scenario run against one cluster. */
export interface ClusterMeasurement {
  readonly broker: ClusterBroker;
  readonly nodes: number;
  readonly scenario: ClusterScenarioId;
  readonly repetition: number;
  readonly throughput: number;
  readonly deliveries: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly cpu: CpuShares;
  /** Bytes into plus out of Redis (all its clients) per delivered message. */
  readonly redisBytesPerDelivery: number;
  /** 1-minute load average of the machine at the end of the timed part. */
  readonly loadAverage: number;
  readonly error?: string;
}

export interface ClusterSummary {
  readonly broker: ClusterBroker;
  readonly nodes: number;
  readonly scenario: ClusterScenarioId;
  readonly runs: number;
  readonly throughput: number;
  /** TernMQ's median / Aedes's, same scenario and size. */
  readonly ternmqRatio: number;
  /** This median / the same broker's 1-node median. */
  readonly scaling: number;
  readonly cpu: CpuShares;
  readonly redisBytesPerDelivery: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly errors: readonly string[];
}

/** What crossed between the nodes of one 3-node cluster in the routing check. */
export interface CrossNodeResult {
  readonly broker: ClusterBroker;
  readonly messages: number;
  readonly deliveries: number;
  readonly lost: number;
  /** Per node, node 1 first: `$SYS` forwarded / received deltas (TernMQ; NaN for Aedes). */
  readonly forwarded: readonly number[];
  readonly received: readonly number[];
  /** Per node: frames Redis delivered on its message channel `ternmq:m:{id}` (TernMQ). */
  readonly frames: readonly number[];
  /** Redis command calls in the timed part, by command (only those called). */
  readonly redisCalls: Readonly<Record<string, number>>;
  readonly redisInputBytesPerMessage: number;
  readonly redisOutputBytesPerMessage: number;
  readonly error?: string;
}

export function summarize(
  measurements: readonly ClusterMeasurement[],
  scenarios: readonly ClusterScenarioId[],
  brokers: readonly ClusterBroker[],
  sizes: readonly number[],
): ClusterSummary[] {
  const throughputOf = (broker: ClusterBroker, nodes: number, scenario: ClusterScenarioId) =>
    median(
      measurements
        .filter(
          (entry) =>
            entry.error === undefined &&
            entry.broker === broker &&
            entry.nodes === nodes &&
            entry.scenario === scenario,
        )
        .map((entry) => entry.throughput),
    );
  const summaries: ClusterSummary[] = [];
  for (const scenario of scenarios) {
    for (const nodes of sizes) {
      for (const broker of brokers) {
        const runs = measurements.filter(
          (entry) =>
            entry.broker === broker && entry.nodes === nodes && entry.scenario === scenario,
        );
        const ok = runs.filter((entry) => entry.error === undefined);
        const throughput = throughputOf(broker, nodes, scenario);
        summaries.push({
          broker,
          nodes,
          scenario,
          runs: ok.length,
          throughput,
          ternmqRatio:
            throughputOf("ternmq", nodes, scenario) / throughputOf("aedes", nodes, scenario),
          scaling: throughput / throughputOf(broker, 1, scenario),
          cpu: {
            generator: median(ok.map((entry) => entry.cpu.generator)),
            nodes: median(ok.map((entry) => entry.cpu.nodes)),
            redis: median(ok.map((entry) => entry.cpu.redis)),
          },
          redisBytesPerDelivery: median(ok.map((entry) => entry.redisBytesPerDelivery)),
          lost: ok.reduce((total, entry) => total + entry.lost, 0),
          duplicates: ok.reduce((total, entry) => total + entry.duplicates, 0),
          errors: runs.flatMap((entry) => (entry.error === undefined ? [] : [entry.error])),
        });
      }
    }
  }
  return summaries;
}

const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : "n/a");
const percent = (share: number): string =>
  Number.isNaN(share) ? "n/a" : `${Math.round(share * 100)}%`;
const count = (value: number): string =>
  Number.isNaN(value) ? "n/a" : Math.round(value).toLocaleString("en-US");

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((width, column) => (cells[column] ?? "").padEnd(width)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** One table per scenario: a row per cluster size and broker. */
export function formatTables(
  summaries: readonly ClusterSummary[],
  scenarios: readonly ScenarioDefinition<ClusterScenarioId>[],
): string {
  const header = [
    "nodes",
    "broker",
    "delivered",
    "TernMQ/Aedes",
    "vs 1 node",
    "gen CPU",
    "nodes CPU",
    "redis CPU",
    "Redis B/msg",
    "lost",
  ];
  return scenarios
    .map((scenario) => {
      const rows = summaries
        .filter((summary) => summary.scenario === scenario.id)
        .map((summary) =>
          summary.runs === 0
            ? [
                String(summary.nodes),
                CLUSTER_LABELS[summary.broker],
                `failed: ${summary.errors[0]?.split("\n")[0] ?? ""}`,
              ]
            : [
                String(summary.nodes),
                CLUSTER_LABELS[summary.broker],
                `${count(summary.throughput)} msg/s`,
                summary.broker === "ternmq" ? ratio(summary.ternmqRatio) : "",
                ratio(summary.scaling),
                percent(summary.cpu.generator),
                percent(summary.cpu.nodes),
                percent(summary.cpu.redis),
                count(summary.redisBytesPerDelivery),
                String(summary.lost + summary.duplicates),
              ],
        );
      return [`[${scenario.number}] ${scenario.title}`, "", table(header, rows)].join("\n");
    })
    .join("\n\n");
}

export function formatCrossNode(results: readonly CrossNodeResult[], title: string): string {
  const header = [
    "broker",
    "messages",
    "delivered",
    "n1 fwd/recv/frames",
    "n2 fwd/recv/frames",
    "n3 fwd/recv/frames",
    "Redis calls",
    "Redis in B/msg",
    "Redis out B/msg",
  ];
  const rows = results.map((result) =>
    result.error !== undefined
      ? [CLUSTER_LABELS[result.broker], `failed: ${result.error.split("\n")[0] ?? ""}`]
      : [
          CLUSTER_LABELS[result.broker],
          count(result.messages),
          `${count(result.deliveries)}${result.lost > 0 ? ` (lost ${result.lost})` : ""}`,
          ...[0, 1, 2].map((node) =>
            [result.forwarded, result.received, result.frames]
              .map((list) => count(list[node] ?? Number.NaN))
              .join(" / "),
          ),
          Object.entries(result.redisCalls)
            .map(([command, calls]) => `${command} ${calls}`)
            .join(", "),
          count(result.redisInputBytesPerMessage),
          count(result.redisOutputBytesPerMessage),
        ],
  );
  return [title, "", table(header, rows)].join("\n");
}
