/**
 * `openRedisCluster`: everything one broker node needs to join a cluster over Redis: the
 * cluster bus and the shared session and retained stores, on one command connection (the
 * stores') plus one pub/sub connection (the bus's).
 */
import type { Logger } from "pino";
import { openRedisStores } from "../open-redis-stores.js";
import type { RedisRetainedStore } from "../redis-retained-store.js";
import type { RedisSessionStore } from "../redis-session-store.js";
import { assertNodeId, type ClusterTimingOptions, RedisClusterBus } from "./redis-cluster-bus.js";

/** Options of `openRedisCluster`. */
export interface RedisClusterOptions extends ClusterTimingOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** This node's id: 1 to 64 of `A-Z a-z 0-9 _ . -`, unique among live nodes. */
  nodeId: string;
  /** Prefix of every key and channel; default `"ternmq:"`. Same on every node. */
  keyPrefix?: string;
  /** Where the bus and the stores log; default: not logged. */
  logger?: Logger;
}

/** One node's handle on the cluster; see `openRedisCluster`. */
export interface RedisCluster {
  /** The `ClusterBus` to give the broker (it calls `start`). */
  readonly bus: RedisClusterBus;
  /** Persistent sessions, shared by every node. */
  readonly sessions: RedisSessionStore;
  /** Retained messages, shared by every node. */
  readonly retained: RedisRetainedStore;
  /**
   * Leaves the cluster (`bus.close()`), waits for the stores' pending writes and closes both
   * connections. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens the stores and the cluster bus of one node. Connections are made in the background;
 * the broker's `bus.start(node)` joins the cluster.
 *
 * Parameters: see `RedisClusterOptions` (timings default to heartbeatMs 1000, nodeTtlMs
 * 3000, takeoverTimeoutMs 5000, startTimeoutMs 10000).
 * Throws: `ClusterError` `MQTT_ERR_CLUSTER_NODE_ID` for an invalid node id; TypeError for an
 * invalid URL or key prefix; RangeError for invalid timings.
 */
export function openRedisCluster(options: RedisClusterOptions): RedisCluster {
  assertNodeId(options.nodeId);
  const stores = openRedisStores({
    url: options.url,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const subscriber = stores.redis.duplicate({ autoResubscribe: false });
  let bus: RedisClusterBus;
  try {
    bus = new RedisClusterBus({
      ...options,
      keyPrefix: stores.keyPrefix,
      redis: stores.redis,
      subscriber,
      data: stores.data,
      sessions: stores.sessions,
      onClosed: () => stores.data.close(),
    });
  } catch (error) {
    subscriber.disconnect();
    void stores.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    bus,
    sessions: stores.sessions,
    retained: stores.retained,
    close() {
      closing ??= bus.close().then(() => stores.close());
      return closing;
    },
  };
}
