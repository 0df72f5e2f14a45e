/**
 * Sizes of the abuse tests. CI runs them small enough to take seconds each; with
 * TERNMQ_ABUSE_FULL=1 they run at full size (slowloris at one byte per second against the
 * default 10 s connect timeout, ten times the connections), which takes minutes:
 *
 *   TERNMQ_ABUSE_FULL=1 pnpm exec vitest run --project interop src/abuse
 */
export const FULL_SIZE = process.env.TERNMQ_ABUSE_FULL === "1";

/** `ci` normally, `full` with TERNMQ_ABUSE_FULL=1. */
export function scaled(ci: number, full: number): number {
  return FULL_SIZE ? full : ci;
}

/** Per-test timeout (ms): every abuse test is bounded. */
export const TEST_TIMEOUT_MS = scaled(30_000, 600_000);
