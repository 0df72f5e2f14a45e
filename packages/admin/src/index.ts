/**
 * @ternmq/admin: the operations HTTP server of a TernMQ broker: Prometheus metrics, health
 * and readiness probes, a JSON API and a live web dashboard.
 */

export type { BrokerInfo, Overview } from "./api.js";
export type { AdminAuthenticate } from "./auth.js";
export { isLoopback } from "./auth.js";
export { AdminError, type AdminErrorCode } from "./errors.js";
export {
  type BrokerMetrics,
  createBrokerMetrics,
  DISCONNECT_REASONS,
  DROP_REASONS,
} from "./metrics.js";
export type { PayloadPreview } from "./payload.js";
export { type AdminServer, type AdminServerOptions, startAdminServer } from "./server.js";
export { DEFAULT_MAX_TOPICS, type TopicEntry, TopicTree } from "./topic-tree.js";
