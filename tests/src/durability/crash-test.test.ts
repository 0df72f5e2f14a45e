/**
 * CI mode of the kill -9 crash test (crash-test.ts runs the full 50 cycles): 5 cycles of
 * SIGKILL and restart under a QoS 1 + QoS 2 load, with zero tolerance for a lost
 * acknowledged message, a QoS 2 duplicate, a broken order or a wrong retained message.
 */
import { afterEach, expect, it } from "vitest";
import { killAllBrokers } from "./broker-process.js";
import { runCrashTest } from "./crash-run.js";

afterEach(async () => {
  await killAllBrokers();
});

it("kill -9 five times under load: every acknowledged message delivered, QoS 2 exactly once, in order, retained intact", async () => {
  // A new seed each run covers more interleavings; the failure message names it.
  const seed = Math.floor(Math.random() * 2 ** 31);
  const report = await runCrashTest({ cycles: 5, seed, uptimeMs: { min: 100, max: 1_000 } });
  expect(report.violations, `seed ${seed}`).toEqual([]);
  // Not vacuous: messages were acknowledged and delivered across the kills.
  expect(report.totals.acked).toBeGreaterThan(0);
  expect(report.totals.delivered).toBeGreaterThan(0);
}, 90_000);
