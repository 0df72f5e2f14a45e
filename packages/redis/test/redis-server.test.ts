import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";

describe("startRedisServer", () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedisServer({ appendOnly: true });
  });
  afterAll(() => redis.close());

  it("keeps append-only data across kill() and start() on the same port", async () => {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
    try {
      await client.connect();
      await client.set("kept", "yes");
      await redis.kill();
      expect(redis.running).toBe(false);
      await redis.start();
      expect(await client.get("kept")).toBe("yes");
    } finally {
      client.disconnect();
    }
  });
});
