/**
 * Runs a fixture script of this package in a child Node process, from TypeScript source
 * (tsx, installed in apps/cli), and collects its stdout lines as they arrive.
 *
 * Every wait is bounded and fails with the child's stderr; `kill()` (call it in `afterEach`)
 * SIGKILLs a child that is still running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const requireFromCli = createRequire(new URL("../../../apps/cli/package.json", import.meta.url));
const tsxLoader = pathToFileURL(requireFromCli.resolve("tsx")).href;
const waitLimitMs = 20_000;

export class FixtureProcess {
  readonly lines: string[] = [];
  /** Settles once the process has exited and its output is read. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private partial = "";
  private stderr = "";
  private readonly waiters = new Set<() => void>();

  constructor(script: string, args: readonly string[]) {
    const path = fileURLToPath(new URL(`fixtures/${script}`, import.meta.url));
    this.child = spawn(
      process.execPath,
      ["--import", tsxLoader, "--conditions=@ternmq/source", path, ...args],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop() ?? "";
      this.lines.push(...parts);
      this.notify();
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.child.stdin?.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  /** Waits until `predicate(lines)` holds; rejects after a bounded wait or an early exit. */
  async waitFor(what: string, predicate: (lines: readonly string[]) => boolean): Promise<void> {
    const deadline = Date.now() + waitLimitMs;
    while (!predicate(this.lines)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`child never printed ${what}; stderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes the child's stdin (fixtures take it as "finish"). */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** SIGKILLs the child if it is still running, and waits for it. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
    await this.exited;
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
