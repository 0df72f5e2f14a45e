/**
 * Runs Debian's `mosquitto_pub` / `mosquitto_sub` against a broker under test.
 *
 * Processes are spawned with argument arrays (no shell), every wait is bounded and fails with
 * the process's output in the message, and `killAll()` (call it in `afterEach`) SIGKILLs
 * whatever is still running, so a failing test leaves no process behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { withTimeout } from "./with-timeout.js";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One message printed by `mosquitto_sub` with {@link messageFormat}. */
export interface PrintedMessage {
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
}

const messagePrefix = "MSG";
/** Default bound of every wait: below vitest's 5 s test timeout, so the readable error wins. */
const defaultWaitMs = 4000;
/**
 * `mosquitto_sub -F` format: one tab-separated line per message, with a prefix that tells it
 * apart from the `-d` debug lines ("Client ... received SUBACK").
 */
export const messageFormat = `${messagePrefix}\t%t\t%q\t%r\t%p`;

export class MosquittoProcess {
  readonly #child: ChildProcess;
  readonly #description: string;
  #stdout = "";
  #stderr = "";
  readonly #listeners = new Set<() => void>();
  /** Set once the process has exited and all of its output has been read. */
  #finished = false;
  /** Settles when the process has exited and its output is complete (never rejects). */
  readonly exited: Promise<ProcessExit>;

  constructor(command: string, args: readonly string[]) {
    this.#description = `${command} ${args.join(" ")}`;
    // libmosquitto's tools block-buffer stdout into a pipe; stdbuf (coreutils) makes it line
    // buffered so that "Subscribed" and message lines can be awaited while the process runs.
    this.#child = spawn("stdbuf", ["-oL", command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stdout += chunk;
      for (const listener of this.#listeners) listener();
    });
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        this.#finished = true;
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr });
      };
      this.#child.once("close", finish);
      this.#child.once("error", (error) => {
        this.#stderr += String(error);
        finish(null, null);
      });
    });
    this.exited.then(() => {
      for (const listener of this.#listeners) listener();
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Messages printed so far (requires `-F messageFormat`). */
  get messages(): PrintedMessage[] {
    return parseMessages(this.#stdout);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** Waits for a stdout line matching `pattern` (e.g. /received SUBACK/ with `-d`). */
  async waitForLine(pattern: RegExp, timeoutMs = defaultWaitMs): Promise<string> {
    return this.#waitFor(
      () => this.#stdout.split("\n").find((line) => pattern.test(line)),
      timeoutMs,
      `a line matching ${pattern}`,
    );
  }

  /** Waits until `count` messages have been printed. */
  async waitForMessages(count: number, timeoutMs = defaultWaitMs): Promise<PrintedMessage[]> {
    return this.#waitFor(
      () => {
        const messages = this.messages;
        return messages.length >= count ? messages : undefined;
      },
      timeoutMs,
      `${count} message(s)`,
    );
  }

  /** Waits for the process to exit by itself; fails (and kills it) after `timeoutMs`. */
  async waitForExit(timeoutMs = defaultWaitMs): Promise<ProcessExit> {
    try {
      return await withTimeout(this.exited, timeoutMs, () => `exit of ${this.#report()}`);
    } catch (error) {
      this.kill("SIGKILL");
      throw error;
    }
  }

  async #waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    let listener: (() => void) | undefined;
    const found = new Promise<T>((resolve, reject) => {
      listener = () => {
        const value = probe();
        if (value !== undefined) resolve(value);
        else if (this.#finished) reject(new Error(`${what} never came: ${this.#report()}`));
      };
      this.#listeners.add(listener);
      listener();
    });
    try {
      return await withTimeout(found, timeoutMs, () => `${what} from ${this.#report()}`);
    } finally {
      if (listener) this.#listeners.delete(listener);
    }
  }

  #report(): string {
    const exit = this.running
      ? "still running"
      : `exited ${this.#child.exitCode ?? this.#child.signalCode}`;
    return `\`${this.#description}\` (${exit}); stdout: ${JSON.stringify(this.#stdout)}; stderr: ${JSON.stringify(this.#stderr)}`;
  }
}

function parseMessages(stdout: string): PrintedMessage[] {
  const messages: PrintedMessage[] = [];
  for (const line of stdout.split("\n")) {
    const [prefix, topic, qos, retain, ...payload] = line.split("\t");
    if (prefix !== messagePrefix || topic === undefined || retain === undefined) continue;
    messages.push({ topic, qos: Number(qos), retain: retain === "1", payload: payload.join("\t") });
  }
  return messages;
}

/** Tracks the processes a test starts so that `afterEach` can kill every one of them. */
export class MosquittoClients {
  readonly #processes = new Set<MosquittoProcess>();

  /** Starts `mosquitto_sub` with `args` (add `-d` to wait for SUBACK, `-F messageFormat`). */
  sub(args: readonly string[]): MosquittoProcess {
    return this.#start("mosquitto_sub", args);
  }

  /** Runs `mosquitto_pub` with `args` to completion; fails unless it exits 0 within `timeoutMs`. */
  async pub(args: readonly string[], timeoutMs = defaultWaitMs): Promise<ProcessExit> {
    const child = this.#start("mosquitto_pub", args);
    const exit = await child.waitForExit(timeoutMs);
    if (exit.code !== 0) {
      throw new Error(
        `mosquitto_pub ${args.join(" ")} exited ${exit.code ?? exit.signal}: ${exit.stderr}`,
      );
    }
    return exit;
  }

  /** SIGKILLs every process still running and waits for them to exit. */
  async killAll(): Promise<void> {
    const processes = [...this.#processes];
    this.#processes.clear();
    for (const child of processes) child.kill("SIGKILL");
    await Promise.all(processes.map((child) => child.exited));
  }

  #start(command: string, args: readonly string[]): MosquittoProcess {
    const child = new MosquittoProcess(command, args);
    this.#processes.add(child);
    return child;
  }
}
