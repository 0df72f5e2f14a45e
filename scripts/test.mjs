#!/usr/bin/env node
// Runs every vitest project once, with coverage, and prints the closing line CI reads:
// "N passed, N failed". Vitest itself prints no such line, so it is taken from vitest's
// JSON report. A run that executed no test fails: green must mean something was checked.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const reportDir = mkdtempSync(join(tmpdir(), "ternmq-test-"));
const reportFile = join(reportDir, "report.json");
const vitest = spawnSync(
  "pnpm",
  [
    "exec",
    "vitest",
    "run",
    "--coverage.enabled",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);

let report;
try {
  report = JSON.parse(readFileSync(reportFile, "utf8"));
} catch {
  console.error("vitest wrote no JSON report");
  process.exit(vitest.status || 1);
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}

const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = report;
const skipped = numPendingTests + numTodoTests;
console.log(
  `${numPassedTests} passed, ${numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
if (numPassedTests + numFailedTests === 0) {
  console.error("no test was executed");
  process.exit(1);
}
process.exit(vitest.status ?? 1);
