/**
 * Test scaffolding shared by the store tests: one redis-server per test file (`useRedisServer`),
 * stores under a key prefix of their own per `open()` (so every test starts empty), and an
 * empty session record.
 */
import type { SessionRecord, StoredSubscription } from "@ternmq/session";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { openRedisStores, type RedisStores } from "../src/index.js";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";

export class TestStores {
  private readonly opened: RedisStores[] = [];
  private counter = 0;

  constructor(private readonly url: () => string) {}

  /** Stores under a new, empty key prefix (or under `keyPrefix`, to reopen). */
  open(keyPrefix = `t${process.pid}-${this.counter++}:`): RedisStores {
    const stores = openRedisStores({ url: this.url(), keyPrefix });
    this.opened.push(stores);
    return stores;
  }

  /** Closes every store opened; failures are ignored. */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((stores) => stores.close()));
  }
}

/**
 * Registers this test file's hooks: a redis-server and a raw `probe` connection for the whole
 * file, and every store opened through `stores` closed after each test.
 */
export function useRedisServer(): {
  server: () => RunningRedis;
  probe: () => Redis;
  stores: TestStores;
} {
  let server: RunningRedis | undefined;
  let probe: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    probe = new Redis(server.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    probe?.disconnect();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("redis-server not started (use inside a test)");
    return value;
  };
  const stores = new TestStores(() => started(server).url);
  afterEach(() => stores.closeAll());
  return { server: () => started(server), probe: () => started(probe), stores };
}

/** A persistent session with `subscriptions` and nothing queued or in flight. */
export function emptyRecord(
  clientId: string,
  subscriptions: StoredSubscription[] = [],
): SessionRecord {
  return {
    clientId,
    createdAt: 1,
    updatedAt: 1,
    sessionExpiryInterval: 60,
    subscriptions,
    snapshot: {
      version: 1,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  };
}
