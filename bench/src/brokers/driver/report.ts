/**
 * Results of a comparison run: medians over repetitions, one table per scenario with every
 * broker's figures and the ratio TernMQ (in memory) / that broker, and the JSON file.
 */
import { writeFile } from "node:fs/promises";
import type { Metric, ScenarioDefinition, ScenarioId } from "../load/scenarios.js";
import { BROKER_LABELS, type BrokerName } from "./brokers.js";

/** One scenario run against one broker. */
export interface Measurement {
  readonly broker: BrokerName;
  readonly scenario: ScenarioId;
  readonly repetition: number;
  readonly figures: Record<string, number>;
  readonly lost: number;
  readonly duplicates: number;
  /** Generator CPU time / wall time over the timed parts (1 = one core). */
  readonly generatorCpu: number;
  /** Broker CPU time / wall time over the timed parts. */
  readonly brokerCpu: number;
  readonly error?: string;
}

export interface Summary {
  readonly broker: BrokerName;
  readonly scenario: ScenarioId;
  readonly runs: number;
  readonly figures: Record<string, number>;
  /** Figure of TernMQ in memory / this broker's, by metric key. */
  readonly ratios: Record<string, number>;
  readonly lost: number;
  readonly duplicates: number;
  readonly generatorCpu: number;
  readonly brokerCpu: number;
  readonly errors: readonly string[];
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(
  measurements: readonly Measurement[],
  scenarios: readonly ScenarioDefinition[],
  brokers: readonly BrokerName[],
): Summary[] {
  const summaries: Summary[] = [];
  for (const scenario of scenarios) {
    const figuresOf = new Map<BrokerName, Record<string, number>>();
    for (const broker of brokers) {
      const runs = measurements.filter(
        (entry) => entry.broker === broker && entry.scenario === scenario.id,
      );
      const ok = runs.filter((entry) => entry.error === undefined);
      const figures: Record<string, number> = {};
      for (const metric of scenario.metrics) {
        figures[metric.key] = median(ok.map((entry) => entry.figures[metric.key] ?? Number.NaN));
      }
      figuresOf.set(broker, figures);
      summaries.push({
        broker,
        scenario: scenario.id,
        runs: ok.length,
        figures,
        ratios: {},
        lost: ok.reduce((total, entry) => total + entry.lost, 0),
        duplicates: ok.reduce((total, entry) => total + entry.duplicates, 0),
        generatorCpu: median(ok.map((entry) => entry.generatorCpu)),
        brokerCpu: median(ok.map((entry) => entry.brokerCpu)),
        errors: runs.flatMap((entry) => (entry.error === undefined ? [] : [entry.error])),
      });
    }
    const reference = figuresOf.get("ternmq");
    for (const summary of summaries.filter((entry) => entry.scenario === scenario.id)) {
      for (const metric of scenario.metrics) {
        summary.ratios[metric.key] =
          (reference?.[metric.key] ?? Number.NaN) / (summary.figures[metric.key] ?? Number.NaN);
      }
    }
  }
  return summaries;
}

function formatFigure(value: number, metric: Metric): string {
  if (Number.isNaN(value)) return "n/a";
  switch (metric.unit) {
    case "ms":
      return `${value < 10 ? value.toFixed(3) : Math.round(value).toLocaleString("en-US")} ms`;
    case "B":
      return `${(value / 1024).toFixed(2)} KB`;
    default:
      return `${Math.round(value).toLocaleString("en-US")} ${metric.unit}`;
  }
}

/** "n/a" where TernMQ in memory was not run (or failed). */
const formatRatio = (ratio: number): string =>
  Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "n/a";

const percent = (share: number): string =>
  Number.isNaN(share) ? "n/a" : `${Math.round(share * 100)}%`;

/** A plain-text table per scenario (also valid Markdown). */
export function formatTables(
  summaries: readonly Summary[],
  scenarios: readonly ScenarioDefinition[],
  brokers: readonly BrokerName[],
): string {
  const blocks: string[] = [];
  for (const scenario of scenarios) {
    const header = [
      "broker",
      ...scenario.metrics.flatMap((metric) => [metric.label, "TernMQ/x"]),
      "gen CPU",
      "broker CPU",
      "lost",
    ];
    const rows = brokers.map((broker) => {
      const summary = summaries.find(
        (entry) => entry.broker === broker && entry.scenario === scenario.id,
      );
      if (summary === undefined) return [BROKER_LABELS[broker]];
      if (summary.runs === 0) {
        return [BROKER_LABELS[broker], `failed: ${summary.errors[0]?.split("\n")[0] ?? ""}`];
      }
      return [
        BROKER_LABELS[broker],
        ...scenario.metrics.flatMap((metric) => [
          formatFigure(summary.figures[metric.key] ?? Number.NaN, metric),
          formatRatio(summary.ratios[metric.key] ?? Number.NaN),
        ]),
        percent(summary.generatorCpu),
        percent(summary.brokerCpu),
        String(summary.lost),
      ];
    });
    const widths = header.map((cell, column) =>
      Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
    );
    const line = (cells: readonly string[]): string =>
      `| ${widths.map((width, column) => (cells[column] ?? "").padEnd(width)).join(" | ")} |`;
    blocks.push(
      [
        `[${scenario.number}] ${scenario.title}`,
        "",
        (["higher", "lower"] as const)
          .map((better) => {
            const labels = scenario.metrics.filter((metric) => metric.better === better);
            return labels.length === 0
              ? ""
              : `${better} is better: ${labels.map((metric) => metric.label).join(", ")}. `;
          })
          .join("")
          .trim(),
        "",
        line(header),
        `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
        ...rows.map(line),
      ].join("\n"),
    );
  }
  return blocks.join("\n\n");
}

/** Writes a run's results to `path` as JSON and prints where they are. */
export async function writeResults(path: string, results: Record<string, unknown>): Promise<void> {
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${path}`);
}
