/**
 * The broker comparison's quick mode (`pnpm bench brokers --quick`) as CI runs it: the harness
 * starts TernMQ (in memory and durable), Aedes and Mosquitto in turn, runs all eight
 * scenarios against each, and prints and writes a figure for every one. No figure is judged:
 * speed is for the full mode, on a quiet machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const benchFolder = fileURLToPath(new URL("../../bench/", import.meta.url));
const brokers = ["TernMQ", "TernMQ durable", "Aedes", "Mosquitto"];
const scenarioCount = 8;

let child: ChildProcess | undefined;
let folder: string | undefined;

afterAll(async () => {
  // SIGTERM lets the driver end the brokers and the load generator it started.
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

interface Results {
  summaries: { broker: string; scenario: string; runs: number; figures: Record<string, number> }[];
}

describe("pnpm bench brokers --quick", () => {
  it("runs every scenario against every broker and reports a figure for each", async () => {
    folder = await mkdtemp(join(tmpdir(), "ternmq-bench-quick-"));
    const out = join(folder, "results.json");
    const started = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"],
        ...["brokers", "--quick", "--out", out],
      ],
      { cwd: benchFolder, stdio: ["ignore", "pipe", "pipe"] },
    );
    child = started;
    let stdout = "";
    let stderr = "";
    started.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    started.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exitCode = await new Promise((resolve) => started.once("exit", resolve));
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "" });

    for (let number = 1; number <= scenarioCount; number += 1) {
      expect(stdout).toContain(`\n[${number}] `);
    }
    for (const broker of brokers) {
      const rows = stdout.split("\n").filter((line) => line.startsWith(`| ${broker.padEnd(14)} |`));
      expect(rows).toHaveLength(scenarioCount);
      for (const row of rows) expect(row).toMatch(/\| [\d,.]+ (msg\/s|conn\/s|ms|KB) /);
    }

    const results = JSON.parse(await readFile(out, "utf8")) as Results;
    expect(results.summaries).toHaveLength(brokers.length * scenarioCount);
    for (const summary of results.summaries) {
      expect(summary.runs, `${summary.broker} ${summary.scenario}`).toBe(1);
      const figures = Object.values(summary.figures);
      expect(figures.length).toBeGreaterThan(0);
      for (const figure of figures) expect(Number.isFinite(figure)).toBe(true);
    }
  }, 300_000);
});
