/**
 * `pnpm bench brokers [--quick] [--runs N] [--out file.json] [--brokers a,b] [--scenarios x,y]
 * [--cpu-prof dir]`: TernMQ (in memory and durable), Aedes and Mosquitto side by side, each in
 * its own process, under the same eight scenarios from a load generator in another process.
 * Prints one table per scenario (medians, ratios TernMQ / broker, generator and broker CPU)
 * and writes every measurement to a JSON file.
 *
 * Quick mode runs every scenario briefly once (a harness check, no meaningful figures); full
 * mode runs each at full size `--runs` times (at least 3), brokers interleaved, and reports
 * medians. Each repetition starts a fresh broker and runs the scenarios in one order in it.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  BROKER_LABELS,
  BROKER_NAMES,
  MOSQUITTO,
  type RunningBroker,
  startBroker,
} from "./driver/brokers.js";
import { cpuMilliseconds, installCleanup, residentBytes } from "./driver/processes.js";
import { formatTables, type Measurement, summarize, writeResults } from "./driver/report.js";
import { SCENARIOS, type ScenarioDefinition, type Size } from "./load/scenarios.js";
import { LoadWorker } from "./load/worker-client.js";

/**
 * Scenarios run in this order. Those that measure memory each get a fresh broker (RSS before
 * them must not hold the garbage of earlier scenarios); the others share one broker, with the
 * retained store (which stays filled) last.
 */
const RUN_ORDER = [
  "fan-in",
  "fan-out",
  "qos1",
  "qos2",
  "latency",
  "retained",
  "idle-connections",
  "wide-subscriptions",
] as const;

function measuresMemory(scenario: ScenarioDefinition): boolean {
  return scenario.metrics.some((metric) => metric.fromMemory === true);
}

/** Pause before reading RSS after connections or subscriptions were made. */
const MEMORY_SETTLE_MS = 300;

function pick<T extends string>(list: string | undefined, known: readonly T[], what: string): T[] {
  if (list === undefined) return [...known];
  const names = list.split(",").filter((name) => name !== "");
  const unknown = names.filter((name) => !known.includes(name as T));
  if (unknown.length > 0)
    throw new Error(`unknown ${what}: ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return known.filter((name) => names.includes(name));
}

function mosquittoVersion(): string {
  try {
    return execFileSync(MOSQUITTO, ["-h"], { encoding: "utf8" }).split("\n")[0] ?? "";
  } catch (error) {
    // `mosquitto -h` exits 3 after printing its usage.
    const output = (error as { stdout?: string }).stdout ?? "";
    return output.split("\n")[0] ?? "unknown";
  }
}

/** Runs one scenario in the worker against `broker`, reading the broker process at its marks. */
async function measure(
  worker: LoadWorker,
  broker: RunningBroker,
  scenario: ScenarioDefinition,
  size: Size,
  repetition: number,
): Promise<Measurement> {
  let memoryBefore = Number.NaN;
  let memoryAfter = Number.NaN;
  let cpuAtStart = 0;
  let wallAtStart = 0;
  let brokerCpuMs = 0;
  let wallMs = 0;
  const onMark = async (point: string): Promise<void> => {
    if (point === "measure-start") {
      cpuAtStart = cpuMilliseconds(broker.pid);
      wallAtStart = performance.now();
    } else if (point === "measure-end") {
      brokerCpuMs += cpuMilliseconds(broker.pid) - cpuAtStart;
      wallMs += performance.now() - wallAtStart;
    } else if (point === "memory-before") {
      memoryBefore = residentBytes(broker.pid);
    } else if (point === "memory-after") {
      await new Promise((resolve) => setTimeout(resolve, MEMORY_SETTLE_MS));
      memoryAfter = residentBytes(broker.pid);
    }
  };
  const runId = `${broker.name}-r${repetition}-${process.pid}`;
  const result = await worker.run(
    scenario.id,
    { host: "127.0.0.1", port: broker.port },
    size,
    runId,
    onMark,
  );
  const figures = { ...result.figures };
  if (result.memoryUnits !== undefined) {
    figures.memoryPerUnit = (memoryAfter - memoryBefore) / result.memoryUnits;
  }
  return {
    broker: broker.name,
    scenario: scenario.id,
    repetition,
    figures,
    lost: result.lost,
    duplicates: result.duplicates,
    generatorCpu: result.generatorCpu,
    brokerCpu: wallMs === 0 ? Number.NaN : brokerCpuMs / wallMs,
  };
}

export async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      out: { type: "string" },
      brokers: { type: "string" },
      scenarios: { type: "string" },
      "cpu-prof": { type: "string" },
    },
  });
  const size: Size = values.quick ? "quick" : "full";
  const repetitions = values.quick ? 1 : Math.max(3, Number(values.runs ?? 3));
  const brokers = pick(values.brokers, BROKER_NAMES, "broker");
  const selected = pick(values.scenarios, RUN_ORDER, "scenario");
  const order = RUN_ORDER.filter((id) => selected.includes(id)).map(
    (id) => SCENARIOS.find((scenario) => scenario.id === id) as ScenarioDefinition,
  );
  const shown = SCENARIOS.filter((scenario) => order.includes(scenario));
  const cpuProfileDir = values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]);
  const out = resolve(values.out ?? join(tmpdir(), `ternmq-bench-brokers-${Date.now()}.json`));

  installCleanup();
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    mosquitto: mosquittoVersion(),
    loadAverageAtStart: loadavg(),
  };
  console.log(
    `${size} mode, ${repetitions} run(s); ${machine.cpus} CPUs (${machine.cpuModel}), Node ` +
      `${machine.node}, ${machine.mosquitto}; load average ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(" ")}`,
  );
  const startedAt = new Date().toISOString();
  const measurements: Measurement[] = [];
  const worker = await LoadWorker.start();
  try {
    for (let repetition = 1; repetition <= repetitions; repetition += 1) {
      for (const name of brokers) {
        let broker: RunningBroker | undefined;
        try {
          for (const scenario of order) {
            if (broker !== undefined && measuresMemory(scenario)) {
              await broker.stop();
              broker = undefined;
            }
            broker ??= await startBroker(
              name,
              cpuProfileDir === undefined ? {} : { cpuProfileDir },
            );
            const started = performance.now();
            try {
              const measurement = await measure(worker, broker, scenario, size, repetition);
              measurements.push(measurement);
              const figures = Object.entries(measurement.figures)
                .map(([key, value]) => `${key}=${value.toPrecision(4)}`)
                .join(" ");
              console.log(
                `  run ${repetition} ${BROKER_LABELS[name].padEnd(14)} ${scenario.id.padEnd(18)} ` +
                  `${figures} lost=${measurement.lost} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
              );
            } catch (error) {
              const message =
                `${error instanceof Error ? error.message : String(error)}\n` +
                `    broker: ${broker.status()}`;
              measurements.push({
                broker: name,
                scenario: scenario.id,
                repetition,
                figures: {},
                lost: 0,
                duplicates: 0,
                generatorCpu: Number.NaN,
                brokerCpu: Number.NaN,
                error: message,
              });
              console.log(
                `  run ${repetition} ${BROKER_LABELS[name]} ${scenario.id} FAILED: ${message}`,
              );
              process.exitCode = 1;
            }
          }
        } catch (error) {
          console.log(
            `  ${BROKER_LABELS[name]} did not start: ${error instanceof Error ? error.message : error}`,
          );
          process.exitCode = 1;
        } finally {
          await broker?.stop();
        }
      }
    }
  } finally {
    await worker.stop();
  }
  const summaries = summarize(measurements, shown, brokers);
  console.log("");
  console.log(formatTables(summaries, shown, brokers));
  const loadAverageAtEnd = loadavg();
  console.log(
    `\nTernMQ/x: TernMQ in memory's figure divided by the broker's (throughput: > 1 means ` +
      "TernMQ is faster; times, latencies, memory: < 1 means TernMQ is better). gen CPU / " +
      "broker CPU: CPU time over wall time of the load generator / broker process during the " +
      `timed parts (100% = one core). Load average at end: ${loadAverageAtEnd.map((load) => load.toFixed(2)).join(" ")}`,
  );
  await writeResults(out, {
    startedAt,
    size,
    repetitions,
    machine: { ...machine, loadAverageAtEnd },
    summaries,
    measurements,
  });
}
