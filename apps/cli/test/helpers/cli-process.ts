/**
 * Runs `ternmq` as a real child process from its TypeScript source (`node --import tsx
 * --conditions=@ternmq/source src/main.ts ...`, from apps/cli, where tsx is installed), so
 * tests see exactly what a user sees: stdout bytes, stderr lines, the exit code.
 *
 * Every wait is bounded and fails with the process's output in the message; `killAll()` (call
 * it in `afterEach`) SIGKILLs whatever is still running, so a failing test leaves nothing
 * behind. Used by apps/cli's tests and by tests/src/client (interop with mosquitto's tools).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const appFolder = fileURLToPath(new URL("../../", import.meta.url));
/** Bound of every wait: a process start costs about a second, much more on a busy machine. */
const defaultWaitMs = 30_000;

export interface CliExit {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface CliStartOptions {
  /** Written to stdin, which is then closed; without it stdin stays open until `endStdin()`. */
  readonly stdin?: string | Uint8Array;
}

export class CliProcess {
  readonly #child: ChildProcess;
  readonly #description: string;
  readonly #stdout: Buffer[] = [];
  #stderr = "";
  readonly #listeners = new Set<() => void>();
  /** Set once the process has exited and all of its output has been read. */
  #finished = false;
  /** Settles when the process has exited and its output is complete (never rejects). */
  readonly exited: Promise<CliExit>;

  constructor(args: readonly string[], options: CliStartOptions = {}) {
    this.#description = `ternmq ${args.join(" ")}`;
    const nodeArgs = ["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"];
    this.#child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: appFolder,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.#child.stdout?.on("data", (chunk: Buffer) => {
      this.#stdout.push(chunk);
      this.#notify();
    });
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
      this.#notify();
    });
    // A process that exits without reading all of stdin makes the pipe fail; that is fine.
    this.#child.stdin?.on("error", () => {});
    if (options.stdin !== undefined) this.#child.stdin?.end(options.stdin);
    this.exited = new Promise((resolve) => {
      this.#child.once("close", (code, signal) => {
        this.#finished = true;
        resolve({ code, signal, stdout: this.stdout, stderr: this.#stderr });
        this.#notify();
      });
      this.#child.once("error", (error) => {
        this.#stderr += String(error);
        this.#finished = true;
        resolve({ code: null, signal: null, stdout: this.stdout, stderr: this.#stderr });
        this.#notify();
      });
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get stdout(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** stdout split into lines (the last, unterminated piece dropped). */
  get lines(): string[] {
    return this.stdout.toString("utf8").split("\n").slice(0, -1);
  }

  writeStdin(text: string): void {
    this.#child.stdin?.write(text);
  }

  endStdin(): void {
    this.#child.stdin?.end();
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** Waits for a stderr line matching `pattern` (e.g. -d's "subscribed to ..."). */
  waitForStderr(pattern: RegExp, timeoutMs = defaultWaitMs): Promise<string> {
    return this.#waitFor(
      () => this.#stderr.split("\n").find((line) => pattern.test(line)),
      timeoutMs,
      `a stderr line matching ${pattern}`,
    );
  }

  /** Waits until stdout holds `count` lines. */
  waitForLines(count: number, timeoutMs = defaultWaitMs): Promise<string[]> {
    return this.#waitFor(
      () => (this.lines.length >= count ? this.lines : undefined),
      timeoutMs,
      `${count} stdout line(s)`,
    );
  }

  /** Waits for the process to exit by itself; fails (and kills it) after `timeoutMs`. */
  async waitForExit(timeoutMs = defaultWaitMs): Promise<CliExit> {
    try {
      await this.#waitFor(() => (this.#finished ? true : undefined), timeoutMs, "exit");
      return await this.exited;
    } catch (error) {
      this.kill("SIGKILL");
      throw error;
    }
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  async #waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    let listener: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${this}`)),
          timeoutMs,
        );
        listener = () => {
          const value = probe();
          if (value !== undefined) resolve(value);
          else if (this.#finished) reject(new Error(`${what} never came: ${this}`));
        };
        this.#listeners.add(listener);
        listener();
      });
    } finally {
      clearTimeout(timer);
      if (listener !== undefined) this.#listeners.delete(listener);
    }
  }

  toString(): string {
    const state = this.running
      ? "still running"
      : `exited ${this.#child.exitCode ?? this.#child.signalCode}`;
    return `\`${this.#description}\` (${state}); stdout: ${JSON.stringify(this.stdout.toString())}; stderr: ${JSON.stringify(this.#stderr)}`;
  }
}

/** Tracks the processes a test starts so that `afterEach` can kill every one of them. */
export class CliProcesses {
  readonly #processes = new Set<CliProcess>();

  start(args: readonly string[], options?: CliStartOptions): CliProcess {
    const child = new CliProcess(args, options);
    this.#processes.add(child);
    return child;
  }

  /** Runs `ternmq args` to completion (stdin closed unless given) and returns how it ended. */
  run(args: readonly string[], options: CliStartOptions = { stdin: "" }): Promise<CliExit> {
    return this.start(args, options).waitForExit();
  }

  /** Starts `ternmq sub -d ...` and waits until it has subscribed (its SUBACK). */
  async subscribed(args: readonly string[]): Promise<CliProcess> {
    const subscriber = this.start(["sub", "-d", ...args]);
    await subscriber.waitForStderr(/ subscribed to /);
    return subscriber;
  }

  async killAll(): Promise<void> {
    const processes = [...this.#processes];
    this.#processes.clear();
    for (const child of processes) child.kill("SIGKILL");
    await Promise.all(processes.map((child) => child.exited));
  }
}
