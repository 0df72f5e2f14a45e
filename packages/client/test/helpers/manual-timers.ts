/**
 * A hand-driven clock for the client's `timers` option: nothing fires until `advance()`.
 */
import type { Timers } from "../../src/index.js";

interface Scheduled {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private scheduled: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.scheduled.push({ id, at: this.time + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.scheduled = this.scheduled.filter((entry) => entry.id !== handle);
  }

  /** Delays of the timers armed now, from now, soonest first. */
  pending(): number[] {
    return this.scheduled.map((entry) => entry.at - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock forward by `ms`, firing every timer due on the way, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.scheduled
        .filter((entry) => entry.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.scheduled = this.scheduled.filter((entry) => entry !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = end;
  }
}
