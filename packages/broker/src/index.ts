/**
 * @ternmq/broker: an MQTT 3.1.1 broker (3.1 clients accepted) over any duplex byte stream,
 * with in-memory state behind the session package's store interfaces.
 */

export * from "./auth/index.js";
export { Broker, type BrokerState } from "./broker.js";
export type { ClusterBus, ClusterNode, ClusterStats } from "./cluster.js";
export { BrokerError, type BrokerErrorCode } from "./errors.js";
export {
  BrokerInspector,
  type ClientDetails,
  type ListenerInfo,
  type QoSCounts,
  type RetainedSummary,
  type SessionTotals,
  type StoreState,
  type TrafficCounters,
} from "./inspect.js";
export { DEFAULT_LIMITS } from "./limits.js";
export type { Pem, SecureListener, TlsCertificates, TlsOptions } from "./listeners/index.js";
export type {
  BrokerEvents,
  BrokerHooks,
  BrokerLimits,
  BrokerMessage,
  BrokerOptions,
  BrokerPersistence,
  BrokerStats,
  ClientInfo,
  DisconnectReason,
  LimitCounters,
  Listener,
} from "./types.js";
