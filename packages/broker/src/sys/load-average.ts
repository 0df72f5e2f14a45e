/**
 * Load averages for `$SYS/broker/load/...`: per-minute rates of a monotonic counter,
 * exponentially decayed over 1, 5 and 15 minutes, computed the way Mosquitto's sys tree does.
 *
 * Design: one `LoadAverage` per counter. Each `sample(count, nowMs)` turns the counter's growth
 * since the previous sample into a rate per minute, `rate = delta * 60 / elapsedSeconds`, and
 * moves every window's load towards it: `load = rate + exp(-elapsed / window) * (load - rate)`.
 * A steady rate therefore converges to that rate, and a silence decays towards 0 with the
 * window's time constant. Time is an argument (no clock inside), so tests drive it directly.
 * A sample at the same instant as the previous one (or earlier) changes nothing: there is no
 * rate to compute over an empty interval.
 */

/** The windows Mosquitto publishes, with the suffix of their topic. */
export const LOAD_WINDOWS = [
  { suffix: "1min", seconds: 60 },
  { suffix: "5min", seconds: 300 },
  { suffix: "15min", seconds: 900 },
] as const;

export type LoadWindowSuffix = (typeof LOAD_WINDOWS)[number]["suffix"];

/**
 * One step of the exponentially-decayed average.
 *
 * Parameters: `previous` load (per minute), `ratePerMinute` measured over the last interval,
 * `elapsedSeconds` the length of that interval, `windowSeconds` the time constant.
 * Returns: the new load, between `previous` and `ratePerMinute`.
 */
export function decayLoad(
  previous: number,
  ratePerMinute: number,
  elapsedSeconds: number,
  windowSeconds: number,
): number {
  const retained = Math.exp(-elapsedSeconds / windowSeconds);
  return ratePerMinute + retained * (previous - ratePerMinute);
}

/** The 1, 5 and 15 minute loads of one monotonic counter. */
export class LoadAverage {
  private lastCount: number;
  private lastSampleMs: number;
  /** Loads per minute, in the order of LOAD_WINDOWS. */
  private readonly loads: number[] = LOAD_WINDOWS.map(() => 0);

  /** Starts from the counter's value at `startMs` (its growth before that is not counted). */
  constructor(initialCount: number, startMs: number) {
    this.lastCount = initialCount;
    this.lastSampleMs = startMs;
  }

  /** Feeds the counter's current value at `nowMs`; updates every window. */
  sample(count: number, nowMs: number): void {
    const elapsedSeconds = (nowMs - this.lastSampleMs) / 1000;
    if (elapsedSeconds <= 0) return;
    const ratePerMinute = ((count - this.lastCount) * 60) / elapsedSeconds;
    for (let index = 0; index < LOAD_WINDOWS.length; index++) {
      const window = LOAD_WINDOWS[index] as (typeof LOAD_WINDOWS)[number];
      this.loads[index] = decayLoad(
        this.loads[index] ?? 0,
        ratePerMinute,
        elapsedSeconds,
        window.seconds,
      );
    }
    this.lastCount = count;
    this.lastSampleMs = nowMs;
  }

  /** The current load (events per minute) of one window. */
  load(suffix: LoadWindowSuffix): number {
    const index = LOAD_WINDOWS.findIndex((window) => window.suffix === suffix);
    return this.loads[index] ?? 0;
  }
}
