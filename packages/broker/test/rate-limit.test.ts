import { describe, expect, it } from "vitest";
import {
  createPublishRateLimiter,
  PublishRateLimiter,
  RATE_DROP,
  RATE_PASS,
  TokenBucket,
} from "../src/rate-limit.js";

describe("TokenBucket (time is an argument: deterministic)", () => {
  it("starts full with one second of burst and refills at its rate up to the capacity", () => {
    const bucket = new TokenBucket(10, 1000);
    for (let index = 0; index < 10; index++) expect(bucket.tryTake(1, 1000)).toBe(true);
    expect(bucket.tryTake(1, 1000)).toBe(false);
    expect(bucket.tryTake(1, 1099)).toBe(false); // 0.99 of a token
    expect(bucket.tryTake(1, 1100)).toBe(true);
    expect(bucket.isFull(1100 + 60_000)).toBe(true);
    expect(bucket.tokens).toBe(10);
  });

  it("a refused take leaves the tokens as they were", () => {
    const bucket = new TokenBucket(5, 0);
    expect(bucket.tryTake(6, 0)).toBe(false);
    expect(bucket.tokens).toBe(5);
  });

  it("takeOrOwe goes into debt and says how long the debt takes to refill", () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.takeOrOwe(100)).toBe(0);
    expect(bucket.takeOrOwe(50)).toBe(500); // 50 tokens at 100/s
    expect(bucket.canTake(1, 509)).toBe(false);
    expect(bucket.canTake(1, 510)).toBe(true);
  });

  it("ignores a clock that goes backwards", () => {
    const bucket = new TokenBucket(10, 5000);
    bucket.takeOrOwe(10);
    bucket.refill(4000);
    expect(bucket.tokens).toBe(0);
  });
});

describe("PublishRateLimiter", () => {
  it("is not created when neither rate is limited (no cost per message)", () => {
    const unlimited = Number.POSITIVE_INFINITY;
    expect(
      createPublishRateLimiter(
        { messagesPerSecondPerClient: unlimited, bytesPerSecondPerClient: unlimited },
        0,
      ),
    ).toBeUndefined();
  });

  it("drops QoS 0 beyond the message rate until tokens refill", () => {
    const limiter = new PublishRateLimiter(3, Number.POSITIVE_INFINITY, 0);
    const verdicts = [0, 0, 0, 0, 0].map(() => limiter.admit(0, 10, 0));
    expect(verdicts).toEqual([RATE_PASS, RATE_PASS, RATE_PASS, RATE_DROP, RATE_DROP]);
    expect(limiter.admit(0, 10, 334)).toBe(RATE_PASS); // one token back after 1/3 s
    expect(limiter.admit(0, 10, 334)).toBe(RATE_DROP);
  });

  it("never drops QoS 1/2: it answers how long the connection must stop reading", () => {
    const limiter = new PublishRateLimiter(2, Number.POSITIVE_INFINITY, 0);
    expect(limiter.admit(1, 0, 0)).toBe(RATE_PASS);
    expect(limiter.admit(2, 0, 0)).toBe(RATE_PASS);
    expect(limiter.admit(1, 0, 0)).toBe(500); // one token owed at 2/s
    expect(limiter.admit(1, 0, 0)).toBe(1000);
    expect(limiter.admit(1, 0, 1000)).toBe(500); // the debt of 2 refilled, this one owed
    expect(new PublishRateLimiter(1, 100, 0).admit(1, 300, 0)).toBe(2000); // the larger wait
  });

  it("limits payload bytes: a message over a second's worth passes a full bucket, into debt", () => {
    const limiter = new PublishRateLimiter(Number.POSITIVE_INFINITY, 1000, 0);
    expect(limiter.admit(0, 5000, 0)).toBe(RATE_PASS);
    expect(limiter.admit(0, 5000, 1)).toBe(RATE_DROP);
    expect(limiter.admit(0, 1, 3999)).toBe(RATE_DROP);
    expect(limiter.admit(0, 1, 4001)).toBe(RATE_PASS);
    expect(limiter.admit(1, 2000, 4001)).toBe(2000); // 2000 bytes owed at 1000/s
  });
});
