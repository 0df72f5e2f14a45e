// QoS 1 throughput through `ternmq-broker` (a child process), in memory vs on the SQLite
// store with `--durability fsync` (the default) and `--durability relaxed`. Publishers keep
// a window of unacknowledged QoS 1 messages; each publishes to its own topic, which one
// persistent-session (clean session 0) subscriber acknowledges, so every message is
// journaled for that session (queued/inflight, then removed) before the PUBACK to the
// publisher goes out. Each run starts a fresh broker on a fresh data folder, warms up, then
// times `messages` messages per publisher from the first PUBLISH to the last delivery. The
// modes are interleaved run by run; the medians and the factor durable / in-memory are
// printed.
//
//   pnpm --filter @ternmq/bench exec node --import tsx --conditions=@ternmq/source \
//     src/durable.ts [--runs 3] [--messages 10000] [--publishers 4] [--window 50]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { publishAll, startBrokerApp, startSubscriber } from "./durable-load.js";

interface Mode {
  name: string;
  args: (dataDir: string) => string[];
}

const MODES: readonly Mode[] = [
  { name: "in-memory", args: () => ["--memory"] },
  { name: "sqlite fsync", args: (dataDir) => ["--data-dir", dataDir, "--durability", "fsync"] },
  {
    name: "sqlite relaxed",
    args: (dataDir) => ["--data-dir", dataDir, "--durability", "relaxed"],
  },
];

interface Load {
  publishers: number;
  messages: number;
  window: number;
  payloadSize: number;
}

/** One run of `mode`: messages per second delivered to the subscribers. */
async function measure(mode: Mode, load: Load, run: number): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), "ternmq-bench-durable-"));
  // Subscribers that fall behind must not hit the default queue limit (dropped messages
  // would never arrive); the broker's queue bound is not what this measures.
  const config = join(folder, "broker.yaml");
  await writeFile(config, "limits:\n  maxQueuedMessages: 10000000\n  maxQueuedBytes: 2000000000\n");
  const broker = await startBrokerApp([...["-c", config], ...mode.args(join(folder, "data"))]);
  try {
    const topics = Array.from({ length: load.publishers }, (_, index) => `bench/${index}`);
    const subscribers = await Promise.all(
      topics.map((topic, index) =>
        startSubscriber(broker.port, `bench-sub-${run}-${index}`, topic),
      ),
    );
    const publishRound = async (count: number): Promise<void> => {
      const targets = subscribers.map((subscriber) => subscriber.received() + count);
      await Promise.all(
        topics.map((topic, index) =>
          publishAll(broker.port, `bench-pub-${index}`, topic, { ...load, count }),
        ),
      );
      await Promise.all(
        subscribers.map((subscriber, index) => subscriber.receivedAll(targets[index] ?? 0)),
      );
    };
    await publishRound(Math.ceil(load.messages / 5));
    const started = performance.now();
    await publishRound(load.messages);
    const seconds = (performance.now() - started) / 1000;
    for (const subscriber of subscribers) subscriber.close();
    return (load.messages * load.publishers) / seconds;
  } finally {
    await broker.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const format = (rate: number): string => `${Math.round(rate).toLocaleString("en-US")} msg/s`;

export async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      runs: { type: "string", default: "3" },
      messages: { type: "string", default: "10000" },
      publishers: { type: "string", default: "4" },
      window: { type: "string", default: "50" },
      payload: { type: "string", default: "64" },
    },
  });
  const runs = Math.max(3, Number(values.runs));
  const load: Load = {
    publishers: Number(values.publishers),
    messages: Number(values.messages),
    window: Number(values.window),
    payloadSize: Number(values.payload),
  };
  console.log(
    `QoS 1, ${load.publishers} publishers x ${load.messages} messages of ${load.payloadSize} B, ` +
      `window ${load.window}, each to one persistent subscriber; median of ${runs} runs`,
  );
  const rates = new Map<string, number[]>(MODES.map((mode) => [mode.name, []]));
  for (let runIndex = 0; runIndex < runs; runIndex += 1) {
    for (const mode of MODES) {
      const rate = await measure(mode, load, runIndex);
      rates.get(mode.name)?.push(rate);
      console.log(`  run ${runIndex + 1} ${mode.name.padEnd(15)} ${format(rate)}`);
    }
  }
  const memory = median(rates.get("in-memory") ?? []);
  console.log("");
  for (const mode of MODES) {
    const rate = median(rates.get(mode.name) ?? []);
    const factor = mode.name === "in-memory" ? "" : `  x${(rate / memory).toFixed(2)} of in-memory`;
    console.log(`${mode.name.padEnd(15)} ${format(rate).padStart(14)}${factor}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await run(process.argv.slice(2));
}
