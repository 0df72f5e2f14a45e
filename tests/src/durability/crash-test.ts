/**
 * The kill -9 crash test as a script (issue 6). Full mode is 50 cycles:
 *
 *   pnpm --filter @ternmq/broker-app exec node --import tsx --conditions=@ternmq/source \
 *     ../../tests/src/durability/crash-test.ts --cycles 50 [--seed N] [--durability relaxed]
 *
 * Prints one line per cycle and a summary; exits 1 on any violation (a lost acknowledged
 * message, a QoS 2 duplicate, first deliveries out of order, a wrong retained message), 0
 * otherwise. Every broker process it started is killed on exit, even on failure.
 * CI runs 5 cycles of it through vitest (crash-test.test.ts).
 */
import { parseArgs } from "node:util";
import { killAllBrokersNow } from "./broker-process.js";
import { runCrashTest } from "./crash-run.js";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "50" },
    seed: { type: "string" },
    durability: { type: "string", default: "fsync" },
  },
});
const cycles = Number(values.cycles);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(seed)) {
  process.stderr.write(
    "usage: crash-test.ts [--cycles N] [--seed N] [--durability fsync|relaxed]\n",
  );
  process.exit(2);
}

process.on("exit", killAllBrokersNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAllBrokersNow();
    process.exit(130);
  });
}

process.stdout.write(`crash test: ${cycles} kill -9 cycles, seed ${seed}, ${values.durability}\n`);
try {
  const report = await runCrashTest({
    cycles,
    seed,
    brokerArgs: ["--durability", values.durability],
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const { totals } = report;
  process.stdout.write(
    [
      `cycles: ${report.cycles} (seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s)`,
      `messages sent: ${totals.sent}, acknowledged: ${totals.acked}, ` +
        `dropped unsent by MQTT.js on a closed connection: ${totals.abandoned}`,
      `delivered (first deliveries, all subscribers): ${totals.delivered}`,
      `duplicates: QoS 1 ${totals.duplicatesQoS1} (allowed), QoS 2 ${totals.duplicatesQoS2}`,
      `violations: ${report.violations.length}`,
      ...report.violations.slice(0, 30).map((violation) => `  ${violation}`),
      "",
    ].join("\n"),
  );
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`crash test failed to run (seed ${seed}): ${String(error)}\n`);
  process.exitCode = 1;
}
