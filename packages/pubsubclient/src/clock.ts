/**
 * Arduino's time functions. `millis()` counts from a monotonic clock (so a wall-clock change
 * never fires or delays a keepalive); tests swap the clock with `setClock`.
 */

/** A source of milliseconds on any monotonic scale. */
export interface Clock {
  now(): number;
}

const monotonicClock: Clock = {
  now: () => Math.floor(performance.now()),
};

let current: Clock = monotonicClock;

/**
 * Replaces the clock behind `millis()` (and so every PubSubClient's keepalive and timeouts);
 * `setClock()` with no argument restores the monotonic default.
 */
export function setClock(clock?: Clock): void {
  current = clock ?? monotonicClock;
}

/** Milliseconds since an arbitrary start, like Arduino's `millis()`. */
export function millis(): number {
  return current.now();
}

/**
 * Arduino's `delay(ms)`, which Node cannot do by blocking: `await delay(1000)`. Uses a real
 * timer whatever clock `millis()` uses.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
