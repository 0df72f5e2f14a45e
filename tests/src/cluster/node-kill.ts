/**
 * The cluster kill -9 scenario (node-kill-run.ts) at a chosen size, as a script:
 *
 *   pnpm --filter @ternmq/broker-app exec node --import tsx --conditions=@ternmq/source \
 *     ../../tests/src/cluster/node-kill.ts --messages 5000 [--runs 5]
 *
 * Each run starts redis-server and 3 nodes, kills two of them under load and checks the
 * ledgers; prints one line per run and exits 1 on any violation. CI runs a small size through
 * vitest (node-kill.test.ts). Every process it started is killed on exit, even on failure.
 */
import { parseArgs } from "node:util";
import { killAllBrokersNow } from "../durability/broker-process.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { closeAllClusters, startCluster, UNBOUNDED_QUEUES_YAML } from "./cluster-harness.js";
import { closeAllStreamClients } from "./failover-streams.js";
import { runNodeKill } from "./node-kill-run.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "2000" },
    runs: { type: "string", default: "1" },
  },
});
const messagesPerPhase = Number(values.messages);
const runs = Number(values.runs);
if (!Number.isInteger(messagesPerPhase) || messagesPerPhase < 1 || !Number.isInteger(runs)) {
  process.stderr.write("usage: node-kill.ts [--messages N] [--runs N]\n");
  process.exit(2);
}
process.on("exit", killAllBrokersNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAllBrokersNow();
    process.exit(130);
  });
}

let failed = false;
for (let run = 1; run <= runs; run += 1) {
  const clients = new MqttJsClientPool();
  const startedAt = Date.now();
  try {
    const cluster = await startCluster({
      nodes: ["a", "b", "c"],
      configYaml: UNBOUNDED_QUEUES_YAML,
    });
    const report = await runNodeKill({ cluster, clients, messagesPerPhase, waitMs: 120_000 });
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    process.stdout.write(
      `run ${run}/${runs}: ${seconds} s, acked ${report.acked}, delivered ${report.delivered}, ` +
        `QoS 1 duplicates ${report.duplicatesQoS1}, QoS 2 duplicates ${report.duplicatesQoS2}, ` +
        `nodes seen ${report.nodesSeen.join(" > ")}, refusals [${report.refusals.join("; ")}], ` +
        `violations ${report.violations.length}\n`,
    );
    for (const violation of report.violations.slice(0, 20)) {
      process.stdout.write(`  ${violation}\n`);
    }
    if (report.violations.length > 0) failed = true;
  } catch (error) {
    process.stdout.write(`run ${run}/${runs} failed to run: ${String(error)}\n`);
    failed = true;
  } finally {
    await closeAllStreamClients();
    await clients.closeAll();
    await closeAllClusters().catch((error: unknown) => {
      process.stdout.write(`run ${run}/${runs}: ${String(error)}\n`);
      failed = true;
    });
  }
}
process.exitCode = failed ? 1 : 0;
