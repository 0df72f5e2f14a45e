/**
 * The `ternmq-broker` app as a child process on a data folder, for the crash and restart
 * tests: started from its TypeScript source (`node --import tsx`, from apps/broker, where tsx
 * is installed, so no build is needed), on 127.0.0.1, killed with SIGKILL or SIGTERM.
 *
 * Design: every process started here is kept in one module-level set until it has exited;
 * `killAllBrokers()` (call it in `afterEach`, and the crash script calls it on exit, even on
 * failure) SIGKILLs whatever is still running. Stdout is read continuously (a chatty broker
 * never blocks on a full pipe); stdout and stderr are kept for failure messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withTimeout } from "../helpers/with-timeout.js";

const appFolder = fileURLToPath(new URL("../../../apps/broker/", import.meta.url));
const fromSource = ["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"];
const running = new Set<ChildProcess>();

/** What `ternmq-broker started` reports (the fields the tests use). */
export interface StartedLine {
  port: number;
  store?: string;
  durability?: string;
}

export interface BrokerProcessOptions {
  dataDir: string;
  /** Default 0 (OS-assigned); restarts pass the previous port so clients find it again. */
  port?: number;
  /** More flags (`--durability relaxed`, `--max-session-age 60`, ...). */
  args?: readonly string[];
  /** Bound of the wait for the "started" line; default 30 s (tsx compiles on first start). */
  startTimeoutMs?: number;
}

export class BrokerProcess {
  readonly #child: ChildProcess;
  #pendingStdout = "";
  /** The last stdout lines (the JSON log), for failure messages and late matches. */
  readonly #recentLines: string[] = [];
  #stderr = "";
  #started: StartedLine | undefined;
  /** Set on "close": the process exited and its stdio is fully read. */
  #closed = false;
  readonly #lineWatchers = new Set<(line: string) => void>();
  readonly #exitWatchers = new Set<() => void>();
  /** Resolves with the exit code, or the signal name, once the process has exited. */
  readonly exited: Promise<number | string>;

  constructor(args: readonly string[]) {
    this.#child = spawn(process.execPath, [...fromSource, ...args], {
      cwd: appFolder,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(this.#child);
    this.#child.stdout?.setEncoding("utf8").on("data", (chunk: string) => this.#onStdout(chunk));
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        running.delete(this.#child);
        resolve(code ?? String(signal));
      });
    });
    // "close" comes after the last stdio data, so a watcher sees every line before giving up.
    this.#child.once("close", () => {
      this.#closed = true;
      for (const watcher of [...this.#exitWatchers]) watcher();
    });
  }

  /** Starts the app on `options.dataDir` and waits for its "ternmq-broker started" line. */
  static async start(options: BrokerProcessOptions): Promise<BrokerProcess> {
    const broker = new BrokerProcess([
      ...["-p", String(options.port ?? 0), "--host", "127.0.0.1"],
      ...["--data-dir", options.dataDir, "--sys-interval", "0"],
      ...(options.args ?? []),
    ]);
    try {
      await broker.started(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await broker.crash();
      throw error;
    }
    return broker;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Everything printed on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** The port it listens on; throws before the started line. */
  get port(): number {
    if (this.#started === undefined) throw new Error("ternmq-broker has not started yet");
    return this.#started.port;
  }

  /** The "ternmq-broker started" line, parsed; rejects if the process exits first. */
  async started(timeoutMs: number): Promise<StartedLine> {
    if (this.#started !== undefined) return this.#started;
    await this.waitForLine(/"msg":"ternmq-broker started"/, timeoutMs);
    return this.#started ?? Promise.reject(new Error("started line not parsed"));
  }

  /**
   * A stdout line matching `pattern` (among the recent ones or a later one); rejects when
   * the process exits first, or after `timeoutMs`.
   */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    let onLine: ((line: string) => void) | undefined;
    let onExit: (() => void) | undefined;
    const found = new Promise<string>((resolve, reject) => {
      const seen = this.#recentLines.find((line) => pattern.test(line));
      if (seen !== undefined) {
        resolve(seen);
        return;
      }
      onLine = (line) => {
        if (pattern.test(line)) resolve(line);
      };
      onExit = () => reject(new Error(`ternmq-broker exited before ${pattern}: ${this.#report()}`));
      this.#lineWatchers.add(onLine);
      this.#exitWatchers.add(onExit);
      if (this.#closed) onExit();
    });
    return withTimeout(found, timeoutMs, () => `${pattern} from ${this.#report()}`).finally(() => {
      if (onLine !== undefined) this.#lineWatchers.delete(onLine);
      if (onExit !== undefined) this.#exitWatchers.delete(onExit);
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** SIGKILL (nothing is flushed, as in a crash of the process) and wait for the exit. */
  async crash(): Promise<void> {
    this.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and wait; resolves with the exit code (0 when the shutdown was clean). */
  async stop(timeoutMs = 10_000): Promise<number | string> {
    this.kill("SIGTERM");
    return withTimeout(this.exited, timeoutMs, () => `exit after SIGTERM: ${this.#report()}`);
  }

  #onStdout(chunk: string): void {
    const lines = (this.#pendingStdout + chunk).split("\n");
    this.#pendingStdout = lines.pop() ?? "";
    for (const line of lines) {
      if (this.#started === undefined && line.includes('"msg":"ternmq-broker started"')) {
        this.#started = JSON.parse(line) as StartedLine;
      }
      this.#recentLines.push(line);
      if (this.#recentLines.length > 100) this.#recentLines.shift();
      for (const watcher of [...this.#lineWatchers]) watcher(line);
    }
  }

  #report(): string {
    const stdoutTail = this.#recentLines.slice(-10).join("\n");
    return `stderr: ${this.#stderr.trim() || "(empty)"}; stdout tail:\n${stdoutTail}`;
  }
}

/** SIGKILLs every broker process started here that is still running; waits for the exits. */
export async function killAllBrokers(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/** Synchronous last resort for `process.on("exit")`: SIGKILL without waiting. */
export function killAllBrokersNow(): void {
  for (const child of running) child.kill("SIGKILL");
}
