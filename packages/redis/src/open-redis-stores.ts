/**
 * `openRedisStores`: the session store, the retained store and the cluster data of one Redis
 * (or one key prefix of it), on ONE ioredis command connection.
 *
 * Design: one connection and one write batcher for all three parts, so the writes of one
 * PUBLISH (retained set, queued and inflight entries of every persistent subscriber, inbox
 * pushes for sessions held by other nodes, the publisher's awaiting-PUBREL id) are ONE atomic
 * Redis call, and the PUBACK/PUBREC that waits for them waits for one round trip. The
 * connection never gives up: `maxRetriesPerRequest: null` keeps every call in ioredis'
 * offline queue while Redis is unreachable (writes wait, they do not reject), and
 * `autoResendUnfulfilledCommands` sends again, after a reconnect, the calls that were sent
 * but not answered; the transaction id of each batch makes that resend apply once. Connection
 * errors are logged once per outage, not per retry.
 */
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { type ScriptedRedis, WriteBatcher } from "./batch.js";
import { LIVE_NODES_SCRIPT, LOAD_SESSION_SCRIPT, WRITE_SCRIPT } from "./batch-script.js";
import { DEFAULT_KEY_PREFIX, StoreKeys } from "./keys.js";
import { RedisClusterData } from "./redis-cluster-data.js";
import { RedisRetainedStore } from "./redis-retained-store.js";
import { RedisSessionStore } from "./redis-session-store.js";
import { type SharedConnection, StorePart } from "./store-part.js";

/** Options of `openRedisStores`. */
export interface RedisStoresOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: string;
  /** Prefix of every key and channel; default `"ternmq:"`. */
  readonly keyPrefix?: string;
  /** Where connection losses and recoveries are logged; default: not logged. */
  readonly logger?: Logger;
  /**
   * How long Redis remembers that a write batch was applied (`P tx:{id}`, PX), so that a
   * batch ioredis sends again after a reconnect is not applied twice. A batch sent while
   * the connection broke is applied exactly once if Redis answers again within this time.
   * Default 600000 (10 minutes).
   */
  readonly transactionTtlMs?: number;
}

/** Connection events of `RedisStores.on`. */
export type RedisStoresEvent = "ready" | "close";

/** The stores of one Redis; see `openRedisStores`. */
export interface RedisStores {
  /** The command connection (for `duplicate()`; do not close it directly, use `close()`). */
  readonly redis: Redis;
  /** The key prefix in effect. */
  readonly keyPrefix: string;
  /** Persistent sessions (`SessionStore`). */
  readonly sessions: RedisSessionStore;
  /** Retained messages (`RetainedStore`). */
  readonly retained: RedisRetainedStore;
  /** The cluster's data ops (for the cluster bus). */
  readonly data: RedisClusterData;
  /** Whether the connection is ready now (ioredis status "ready"). */
  readonly ready: boolean;
  /**
   * `"ready"`: the connection is (again) ready; `"close"`: it was lost (ioredis reconnects by
   * itself; calls made meanwhile wait).
   */
  on(event: RedisStoresEvent, listener: () => void): void;
  off(event: RedisStoresEvent, listener: () => void): void;
  /**
   * Waits for every write called before (they are durable when it resolves; while Redis is
   * unreachable it waits for Redis), then closes the connection. Idempotent. Each part's
   * own `close()` does the same for that part; the connection closes when all three are.
   */
  close(): Promise<void>;
}

/**
 * Opens the stores of the Redis at `options.url`. The connection is made in the background:
 * calls made before it is ready wait for it.
 *
 * Parameters: see `RedisStoresOptions`.
 * Returns: the stores; every write resolves once Redis has applied it.
 * Throws: TypeError for an invalid URL, key prefix or TTL.
 * See also: README "Durability".
 */
export function openRedisStores(options: RedisStoresOptions): RedisStores {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== "string") throw new TypeError("keyPrefix must be a string");
  const transactionTtlMs = options.transactionTtlMs ?? 600_000;
  if (!Number.isInteger(transactionTtlMs) || transactionTtlMs < 1) {
    throw new TypeError("transactionTtlMs must be a positive integer");
  }
  const where = redactedUrl(options.url);
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
  }) as ScriptedRedis;
  redis.defineCommand("ternmqWrite", { lua: WRITE_SCRIPT, numberOfKeys: 0 });
  redis.defineCommand("ternmqLoadSession", { lua: LOAD_SESSION_SCRIPT, numberOfKeys: 0 });
  redis.defineCommand("ternmqLiveNodes", { lua: LIVE_NODES_SCRIPT, numberOfKeys: 0 });
  const stores = new OpenRedisStores(redis, new StoreKeys(keyPrefix), where, transactionTtlMs);
  logConnection(redis, where, options.logger, () => stores.quitting);
  return stores;
}

class OpenRedisStores implements RedisStores, SharedConnection {
  readonly sessions: RedisSessionStore;
  readonly retained: RedisRetainedStore;
  readonly data: RedisClusterData;
  readonly batcher: WriteBatcher;
  private openParts = 3;
  /** Set once the last part is closed: the connection's end is not an outage. */
  quitting = false;

  constructor(
    readonly redis: ScriptedRedis,
    readonly keys: StoreKeys,
    readonly where: string,
    transactionTtlMs: number,
  ) {
    this.batcher = new WriteBatcher(redis, keys.prefix, transactionTtlMs, where);
    this.sessions = new RedisSessionStore(new StorePart("session store", this));
    this.retained = new RedisRetainedStore(new StorePart("retained store", this));
    this.data = new RedisClusterData(new StorePart("cluster data", this));
  }

  get keyPrefix(): string {
    return this.keys.prefix;
  }

  get ready(): boolean {
    return this.redis.status === "ready";
  }

  on(event: RedisStoresEvent, listener: () => void): void {
    this.redis.on(event, listener);
  }

  off(event: RedisStoresEvent, listener: () => void): void {
    this.redis.off(event, listener);
  }

  async close(): Promise<void> {
    await Promise.all([this.sessions.close(), this.retained.close(), this.data.close()]);
  }

  async release(): Promise<void> {
    await this.batcher.idle();
    this.openParts--;
    if (this.openParts > 0) return;
    this.quitting = true;
    try {
      await this.redis.quit();
    } catch {
      // Already closed: nothing is pending (idle() above), so nothing is lost.
    }
    this.redis.disconnect();
  }
}

/** Logs connection losses once per outage and every recovery; keeps ioredis quiet. */
function logConnection(
  redis: Redis,
  where: string,
  logger: Logger | undefined,
  quitting: () => boolean,
): void {
  let failing = false;
  redis.on("error", (error: Error) => {
    if (failing || quitting()) return;
    failing = true;
    logger?.warn({ err: error, redis: where }, "Redis unreachable; store calls wait for it");
  });
  redis.on("close", () => {
    if (failing || quitting()) return;
    failing = true;
    logger?.warn({ redis: where }, "Redis connection lost; store calls wait for it");
  });
  redis.on("ready", () => {
    if (failing) logger?.info({ redis: where }, "Redis reachable again");
    failing = false;
  });
}

/** The URL without user name and password, for messages and logs. */
function redactedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a Redis URL: ${JSON.stringify(url)}`);
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}
