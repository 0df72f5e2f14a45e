/**
 * Runs one of @ternmq/pubsubclient's examples as a real child process, exactly as its README
 * command does (`node --import tsx --conditions=@ternmq/source examples/run.ts <name> ...`,
 * from the package folder, where tsx is installed), so that a test can SIGKILL it like a board
 * losing power. Every wait is bounded and fails with the process's output; `killAll()` (call
 * it in `afterEach`) SIGKILLs whatever is still running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withTimeout } from "./with-timeout.js";

const packageFolder = fileURLToPath(new URL("../../../packages/pubsubclient/", import.meta.url));

export class ExampleProcess {
  readonly #child: ChildProcess;
  readonly #description: string;
  #output = "";
  readonly #listeners = new Set<() => void>();
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<void>;

  constructor(name: string, args: readonly string[]) {
    const nodeArgs = ["--import", "tsx", "--conditions=@ternmq/source", "examples/run.ts"];
    this.#description = `example ${name} ${args.join(" ")}`;
    this.#child = spawn(process.execPath, [...nodeArgs, name, ...args], {
      cwd: packageFolder,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const record = (chunk: string) => {
      this.#output += chunk;
      for (const listener of this.#listeners) listener();
    };
    this.#child.stdout?.setEncoding("utf8").on("data", record);
    this.#child.stderr?.setEncoding("utf8").on("data", record);
    this.#child.on("error", (error) => record(String(error)));
    this.exited = new Promise((resolve) => this.#child.once("close", () => resolve()));
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The exit code, or null while running or when a signal ended it. */
  get exitCode(): number | null {
    return this.#child.exitCode;
  }

  /** Everything printed on stdout and stderr so far. */
  get output(): string {
    return this.#output;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** Waits for an output line matching `pattern`. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    let listener: (() => void) | undefined;
    const found = new Promise<string>((resolve) => {
      listener = () => {
        const line = this.#output.split("\n").find((candidate) => pattern.test(candidate));
        if (line !== undefined) resolve(line);
      };
      this.#listeners.add(listener);
      listener();
    });
    try {
      return await withTimeout(found, timeoutMs, () => `${pattern} from ${this.#report()}`);
    } finally {
      if (listener) this.#listeners.delete(listener);
    }
  }

  #report(): string {
    const state = this.running
      ? "running"
      : `exited ${this.#child.exitCode ?? this.#child.signalCode}`;
    return `\`${this.#description}\` (${state}); output: ${JSON.stringify(this.#output)}`;
  }
}

/** Tracks the example processes a test starts so that `afterEach` can kill every one. */
export class ExampleProcesses {
  readonly #processes = new Set<ExampleProcess>();

  start(name: string, args: readonly string[]): ExampleProcess {
    const child = new ExampleProcess(name, args);
    this.#processes.add(child);
    return child;
  }

  async killAll(): Promise<void> {
    const processes = [...this.#processes];
    this.#processes.clear();
    for (const child of processes) child.kill("SIGKILL");
    await Promise.all(processes.map((child) => child.exited));
  }
}
