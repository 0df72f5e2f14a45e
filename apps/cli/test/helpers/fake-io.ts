/**
 * A {@link CommandIo} in memory, to run `runPub` / `runSub` inside the test process: stdin
 * from given chunks (or fed later), stdout bytes and stderr text recorded, and signals that
 * the test raises with `signal("SIGINT")`.
 */
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { CommandIo } from "../../src/io.js";

export class FakeIo implements CommandIo {
  readonly stdin = new PassThrough();
  readonly #stdout: Buffer[] = [];
  #stderr = "";
  readonly #listeners = new Set<() => void>();
  readonly #signals = new EventEmitter();

  readonly stdout = {
    write: (chunk: Uint8Array | string): boolean => {
      this.#stdout.push(Buffer.from(chunk));
      this.#notify();
      return true;
    },
  };

  readonly stderr = {
    write: (chunk: string): boolean => {
      this.#stderr += chunk;
      this.#notify();
      return true;
    },
  };

  readonly signals = {
    once: (signal: "SIGINT" | "SIGTERM", handler: () => void) =>
      this.#signals.once(signal, handler),
    off: (signal: "SIGINT" | "SIGTERM", handler: () => void) => this.#signals.off(signal, handler),
  };

  /** `stdin` holds `input` and ends (without it, stdin stays open until `stdin.end()`). */
  constructor(input?: string | Uint8Array) {
    if (input !== undefined) this.stdin.end(input);
  }

  get output(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  get errors(): string {
    return this.#stderr;
  }

  signal(name: "SIGINT" | "SIGTERM"): void {
    this.#signals.emit(name);
  }

  /** Resolves once stderr holds a line matching `pattern` (e.g. -d's "subscribed to"). */
  waitForStderr(pattern: RegExp): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!pattern.test(this.#stderr)) return;
        this.#listeners.delete(check);
        resolve();
      };
      this.#listeners.add(check);
      check();
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
