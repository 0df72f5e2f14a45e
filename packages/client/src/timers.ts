/**
 * The clock and timers the client uses, injectable so that a browser can drive keepalive
 * from a worker timer (background tabs throttle `setTimeout`) and tests can run the
 * reconnect and keepalive logic deterministically.
 */

/** A clock plus one-shot timers. `now()` must be monotonic milliseconds. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `performance.now()` and the global timers (Node and browsers). */
export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * One re-armable timer over `Timers`: `arm(at)` replaces the previous deadline, so each job
 * (keepalive deadline, connect timeout, reconnect backoff) owns exactly one timer.
 */
export class Deadline {
  private handle: unknown;
  private armedAt: number | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly onFire: () => void,
  ) {}

  /** Fires `onFire` at `at` (clock milliseconds); `undefined` disarms. */
  arm(at: number | undefined): void {
    if (at === this.armedAt) return;
    this.disarm();
    if (at === undefined) return;
    this.armedAt = at;
    this.handle = this.timers.setTimeout(
      () => {
        this.handle = undefined;
        this.armedAt = undefined;
        this.onFire();
      },
      Math.max(0, at - this.timers.now()),
    );
  }

  /**
   * Makes sure the timer fires no later than `at`: a later deadline keeps the armed timer
   * (the handler re-arms when it fires early), so a deadline that moves forward with every
   * packet sent costs no timer churn on the hot path.
   */
  armNoLaterThan(at: number | undefined): void {
    if (at === undefined) return;
    if (this.armedAt !== undefined && this.armedAt <= at) return;
    this.arm(at);
  }

  disarm(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = undefined;
  }
}
