/**
 * Reconnect delays: exponential backoff with full jitter. The bound grows from `minDelayMs`
 * by `factor` per failed attempt up to `maxDelayMs`; the delay is uniform in [0, bound), so
 * clients that lost the same broker do not come back in lockstep.
 */
import type { ReconnectOptions } from "./options.js";

/** Delay before reconnect attempt number `attempt` (0 = the first after a loss). */
export function backoffDelay(
  options: Required<ReconnectOptions>,
  attempt: number,
  random: () => number,
): number {
  const bound = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** attempt);
  return Math.floor(random() * bound);
}
