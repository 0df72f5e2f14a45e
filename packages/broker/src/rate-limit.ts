/**
 * Token buckets for the broker's rate limits: new connections per source address, and
 * PUBLISH messages and payload bytes per client.
 *
 * Design: a bucket holds up to `capacity` tokens (one second's worth of its rate: the burst
 * it allows) and refills continuously at `ratePerSecond`, computed lazily from the injected
 * clock when tokens are taken: no timer per bucket, and per message a few arithmetic
 * operations and no allocation. A bucket may be taken into debt (negative tokens), which is
 * how a QoS 1/2 PUBLISH over the rate is still handled but holds its connection's reads back
 * until the debt is refilled (`PublishRateLimiter.admit` returns how long).
 */
import type { QoS } from "@ternmq/codec";

export class TokenBucket {
  /** Tokens now (as of `updatedAt`); negative while in debt. */
  tokens: number;
  private updatedAt: number;
  private readonly capacity: number;
  private readonly perMs: number;

  /** A full bucket at `now` (ms) for `ratePerSecond` (> 0, finite). */
  constructor(
    readonly ratePerSecond: number,
    now: number,
  ) {
    this.capacity = ratePerSecond;
    this.perMs = ratePerSecond / 1000;
    this.tokens = ratePerSecond;
    this.updatedAt = now;
  }

  /** Adds the tokens earned since the last call, up to the capacity. */
  refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.updatedAt = now;
    this.tokens = Math.min(this.tokens + elapsed * this.perMs, this.capacity);
  }

  /** Takes `cost` tokens if the bucket holds that many at `now`; false (nothing taken) if not. */
  tryTake(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /**
   * Whether `cost` tokens may be taken at `now` (after refilling): the bucket holds them, or,
   * for a cost above the capacity, the bucket is full (the take then goes into debt).
   */
  canTake(cost: number, now: number): boolean {
    this.refill(now);
    return this.tokens >= Math.min(cost, this.capacity);
  }

  /** Takes `cost` tokens even into debt; returns ms until the balance is back to 0 (0: none). */
  takeOrOwe(cost: number): number {
    const tokens = this.tokens - cost;
    this.tokens = tokens;
    return tokens >= 0 ? 0 : Math.ceil(-tokens / this.perMs);
  }

  /** Whether the bucket is full at `now`: forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

/** What `PublishRateLimiter.admit` decides for one PUBLISH. */
export const RATE_DROP = -1;
export const RATE_PASS = 0;

/**
 * The message and byte rates of one client's PUBLISH packets (`messagesPerSecondPerClient`,
 * `bytesPerSecondPerClient`; bytes are payload bytes).
 *
 * A QoS 0 message passes when both buckets hold its cost (a message larger than one second's
 * worth of bytes passes when the byte bucket is full, and takes it into debt) and is dropped
 * otherwise. A QoS 1/2 message is never dropped: it always takes its tokens,
 * and the connection stops reading for as long as the debt takes to refill.
 */
export class PublishRateLimiter {
  /** Set once the client first went over a rate (the connection logs that once). */
  exceededAt: number | undefined;
  private readonly messages: TokenBucket | undefined;
  private readonly bytes: TokenBucket | undefined;

  constructor(messagesPerSecond: number, bytesPerSecond: number, now: number) {
    this.messages = Number.isFinite(messagesPerSecond)
      ? new TokenBucket(messagesPerSecond, now)
      : undefined;
    this.bytes = Number.isFinite(bytesPerSecond) ? new TokenBucket(bytesPerSecond, now) : undefined;
  }

  /**
   * Returns: RATE_DROP (-1) to drop this QoS 0 message, RATE_PASS (0) to handle it, or the ms
   * for which the connection must stop reading after handling this QoS 1/2 message.
   */
  admit(qos: QoS, payloadBytes: number, now: number): number {
    const messages = this.messages;
    const bytes = this.bytes;
    if (qos === 0) {
      if (messages !== undefined && !messages.canTake(1, now)) return RATE_DROP;
      if (bytes !== undefined && !bytes.canTake(payloadBytes, now)) return RATE_DROP;
      messages?.takeOrOwe(1);
      bytes?.takeOrOwe(payloadBytes);
      return RATE_PASS;
    }
    let waitMs = 0;
    if (messages !== undefined) {
      messages.refill(now);
      waitMs = messages.takeOrOwe(1);
    }
    if (bytes !== undefined) {
      bytes.refill(now);
      const byteWaitMs = bytes.takeOrOwe(payloadBytes);
      if (byteWaitMs > waitMs) waitMs = byteWaitMs;
    }
    return waitMs;
  }
}

/** A limiter for `limits`, or undefined when neither rate is limited (the default: no cost). */
export function createPublishRateLimiter(
  limits: { readonly messagesPerSecondPerClient: number; readonly bytesPerSecondPerClient: number },
  now: number,
): PublishRateLimiter | undefined {
  const { messagesPerSecondPerClient, bytesPerSecondPerClient } = limits;
  if (!Number.isFinite(messagesPerSecondPerClient) && !Number.isFinite(bytesPerSecondPerClient)) {
    return undefined;
  }
  return new PublishRateLimiter(messagesPerSecondPerClient, bytesPerSecondPerClient, now);
}
