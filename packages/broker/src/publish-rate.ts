/**
 * PUBLISH under the per-client message and byte rates (`messagesPerSecondPerClient`,
 * `bytesPerSecondPerClient`): the connection's dispatcher calls this instead of
 * `handlePublish` when a rate is set.
 *
 * Design: a QoS 0 message over the rate is dropped and counted before anything else is done
 * with it. A QoS 1/2 message is never dropped (its sender expects it delivered): it is handled
 * as usual, acknowledgement included, and the outcome is held back until the rate's debt is
 * refilled. The connection takes no packet and reads nothing while an outcome is pending, so
 * the client is slowed by TCP backpressure. That costs one timer and one Promise per pause,
 * nothing per message within the rate. The first time a client goes over, it is logged.
 */
import type { PublishPacket } from "@ternmq/codec";
import type { Connection } from "./connection.js";
import type { MaybeAsyncOutcome } from "./handlers/outcome.js";
import { handlePublish } from "./handlers/publish.js";
import { type PublishRateLimiter, RATE_DROP, RATE_PASS } from "./rate-limit.js";
import type { SessionEntry } from "./session-registry.js";

export function handleRateLimitedPublish(
  connection: Connection,
  entry: SessionEntry,
  packet: PublishPacket,
  limiter: PublishRateLimiter,
): MaybeAsyncOutcome {
  const context = connection.context;
  const now = context.now();
  const verdict = limiter.admit(packet.qos, packet.payload.length, now);
  if (verdict !== RATE_PASS && limiter.exceededAt === undefined) {
    limiter.exceededAt = now; // logged once per connection, not per message
    context.logger.info(
      { clientId: connection.client?.clientId, address: connection.remoteAddress },
      "PUBLISH rate exceeded: QoS 0 dropped, QoS 1/2 slowed",
    );
  }
  if (verdict === RATE_DROP) {
    context.stats.messagesReceived++;
    context.stats.limits.messagesRateDropped++;
    return undefined;
  }
  const outcome = handlePublish(connection, entry, packet);
  if (verdict === RATE_PASS) return outcome;
  context.stats.limits.messagesRateDelayed++;
  return new Promise((resolve) => {
    setTimeout(resolve, verdict, outcome).unref();
  });
}
