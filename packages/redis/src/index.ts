/**
 * @ternmq/redis: TernMQ's stores on Redis (sessions, retained messages, cluster data) and
 * the cluster bus. Node only.
 */

export type { ClusterData } from "./cluster/cluster-data.js";
export { ClusterError, type ClusterErrorCode } from "./cluster/cluster-error.js";
export {
  openRedisCluster,
  type RedisCluster,
  type RedisClusterOptions,
} from "./cluster/open-redis-cluster.js";
export {
  type ClusterTimingOptions,
  RedisClusterBus,
  type RedisClusterBusOptions,
  type RedisClusterBusState,
} from "./cluster/redis-cluster-bus.js";
export { DEFAULT_KEY_PREFIX } from "./keys.js";
export {
  openRedisStores,
  type RedisStores,
  type RedisStoresEvent,
  type RedisStoresOptions,
} from "./open-redis-stores.js";
export { type ClusterRoutes, type OrphanWill, RedisClusterData } from "./redis-cluster-data.js";
export { RETAINED_PAGE_SIZE, RedisRetainedStore } from "./redis-retained-store.js";
export { RedisSessionStore } from "./redis-session-store.js";
