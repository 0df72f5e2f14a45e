/**
 * The public types of @ternmq/broker: options, limits, hooks, events and counters.
 */

import type { QoS } from "@ternmq/codec";
import type { RetainedStore, SessionStore, StoreError } from "@ternmq/session";
import type { Logger } from "pino";
import type { ClusterBus } from "./cluster.js";

/** Live counters of a broker (see `Broker.stats`). Monotonic except the gauges. */
export interface BrokerStats {
  /** ms epoch, from the injected clock. */
  startedAt: number;
  /** Gauge: clients with an accepted CONNECT and an open connection. */
  clientsConnected: number;
  /** Gauge: persistent sessions (clean session 0) without a connection. */
  clientsDisconnected: number;
  /** High-water mark of `clientsConnected`. */
  clientsMaximum: number;
  /** Gauge: `clientsConnected + clientsDisconnected`. */
  clientsTotal: number;
  /** PUBLISH packets received from clients. */
  messagesReceived: number;
  /** PUBLISH packets written to clients. */
  messagesSent: number;
  /** Messages not delivered to a subscriber: queue full, QoS 0 to a slow consumer or offline. */
  messagesDropped: number;
  bytesReceived: number;
  bytesSent: number;
  /** Gauge: subscriptions (shared ones included) of every session. */
  subscriptionsCount: number;
  /** Gauge: retained messages stored. */
  retainedCount: number;
  /** Load averages are computed by the $SYS module from the counters. */
  publishReceivedLoad?: never;
  /** How often each limit refused something (monotonic; `$SYS/broker/limits/...`). */
  limits: LimitCounters;
}

/** Counters of the limits' refusals; each names the limit it counts. */
export interface LimitCounters {
  /** `maxConnections`: CONNECTs answered CONNACK 3. */
  connectionsRefused: number;
  /** `maxConnectionsPerAddress`: connections closed at accept. */
  connectionsPerAddressExceeded: number;
  /** `connectionsPerSecondPerAddress`: connections closed at accept. */
  connectionRateExceeded: number;
  /** `connectTimeoutMs`: connections closed without a CONNECT in time. */
  connectTimeouts: number;
  /** `maxPacketSize`: connections closed for a larger packet (seen in its fixed header). */
  packetsTooLarge: number;
  /** `maxClientIdLength`: CONNECTs answered CONNACK 2 for a longer client id. */
  clientIdsTooLong: number;
  /** `messagesPerSecondPerClient` / `bytesPerSecondPerClient`: QoS 0 PUBLISH dropped. */
  messagesRateDropped: number;
  /** The same limits: QoS 1/2 PUBLISH after which the connection paused its reads. */
  messagesRateDelayed: number;
  /** `maxSubscriptionsPerClient`: filters refused with SUBACK 0x80. */
  subscriptionsRefused: number;
  /** `maxTopicLength`: topic names (connection closed) and filters (0x80) refused. */
  topicsTooLong: number;
  /** `maxTopicLevels`: topic names (connection closed) and filters (0x80) refused. */
  topicsTooDeep: number;
}

/** Limits of a broker; every field has a default (see `DEFAULT_LIMITS`). */
export interface BrokerLimits {
  /** Connected clients; CONNACK 3 (server unavailable) beyond. Default Infinity. */
  maxConnections: number;
  /** The first packet must be a CONNECT within this many ms. Default 10_000. */
  connectTimeoutMs: number;
  /** Largest packet accepted from a client, fixed header included. Default 268_435_460. */
  maxPacketSize: number;
  /**
   * Largest keepalive in force, seconds (default 65_535). A client asking for more (or for 0,
   * "no keepalive", while this is below 65_535) gets this one enforced: 3.1.1 cannot tell it.
   */
  maxKeepalive: number;
  /** Longest client identifier accepted (CONNACK 2 beyond). Default 65_535; spec min 23. */
  maxClientIdLength: number;
  /** Most levels in a topic name or filter. Default 128. */
  maxTopicLevels: number;
  /** Outbound QoS 1/2 PUBLISH awaiting acknowledgement per client. Default 100. */
  maxInflight: number;
  /** Messages queued per session (offline, or past the inflight window). Default 1000. */
  maxQueuedMessages: number;
  /** Bytes (payload + topic) queued per session. Default 16 MiB. */
  maxQueuedBytes: number;
  /** Bytes waiting in a connection's socket before QoS 0 messages to it are dropped. 1 MiB. */
  maxOutgoingBufferBytes: number;
  /** A connection whose socket does not drain for this long is closed. Default 30_000. */
  drainTimeoutMs: number;
  /**
   * Open connections per source address; more are closed when accepted, before CONNECT is
   * read. Default Infinity (NAT and proxies put many clients behind one address).
   */
  maxConnectionsPerAddress: number;
  /**
   * New connections per second per source address (token bucket, burst of one second);
   * excess connections are closed when accepted. Default Infinity.
   */
  connectionsPerSecondPerAddress: number;
  /**
   * PUBLISH packets per second per client (token bucket, burst of one second): QoS 0 beyond is
   * dropped, QoS 1/2 beyond is handled but the client's reads pause until the rate allows.
   * Default Infinity.
   */
  messagesPerSecondPerClient: number;
  /** PUBLISH payload bytes per second per client, enforced as the message rate. Default Infinity. */
  bytesPerSecondPerClient: number;
  /** Subscriptions per session; a new filter beyond gets SUBACK 0x80. Default 10_000. */
  maxSubscriptionsPerClient: number;
  /**
   * Longest topic name or filter, in characters (UTF-16 code units): a longer name closes the
   * connection, a longer filter gets SUBACK 0x80. Default 65_535 (the protocol's maximum).
   */
  maxTopicLength: number;
}

/** Who a hook or event is about. */
export interface ClientInfo {
  clientId: string;
  username?: string;
  remoteAddress?: string;
  protocolVersion: 3 | 4 | 5;
}

/**
 * Async hooks, called with a synchronous fast path: a hook that returns a plain value (or no
 * hook at all) costs no Promise.
 */
export interface BrokerHooks {
  /** CONNACK return code: 0 accept, 4 bad user name or password, 5 not authorized. */
  authenticate?(
    client: ClientInfo,
    username: string | undefined,
    password: Uint8Array | undefined,
  ): Promise<0 | 4 | 5> | 0 | 4 | 5;
  /** false: drop the message (still acknowledged per QoS, as 3.1.1 has no negative ack). */
  authorizePublish?(
    client: ClientInfo,
    topic: string,
    message: { qos: QoS; retain: boolean },
  ): Promise<boolean> | boolean;
  /** Granted QoS (may downgrade) or 0x80 to refuse. */
  authorizeSubscribe?(
    client: ClientInfo,
    topicFilter: string,
    requestedQoS: QoS,
  ): Promise<QoS | 0x80> | QoS | 0x80;
}

/** The stores a broker keeps its state in; both default to the in-memory stores. */
export interface BrokerPersistence {
  sessions: SessionStore;
  retained: RetainedStore;
}

export interface BrokerOptions {
  /** pino logger instance, or options for a new one (default level "info"). */
  logger?: Logger | { level?: string };
  /** Injected clock (ms) for tests; default Date.now. Timers stay real (setTimeout). */
  now?: () => number;
  /** Granted QoS is capped to it. Default 2. */
  maxQoS?: 0 | 1 | 2;
  /** Default true. When false, the RETAIN flag of PUBLISH is ignored (nothing stored). */
  retainAvailable?: boolean;
  /** Seconds between $SYS publications; default 10; 0 disables $SYS. */
  sysInterval?: number;
  limits?: Partial<BrokerLimits>;
  hooks?: BrokerHooks;
  /** Default: MemorySessionStore and MemoryRetainedStore. */
  persistence?: BrokerPersistence;
  /** Bound of `close()`, ms. Default 5000. */
  shutdownTimeoutMs?: number;
  /**
   * Characters a client identifier may use (tested on the whole id); default: any. 3.1.1 only
   * guarantees [0-9a-zA-Z] ([MQTT-3.1.3-5]); a refused id gets CONNACK 2.
   */
  clientIdPattern?: RegExp;
  /**
   * Housekeeping: an offline persistent session (clean session 0) disconnected for at least
   * this many seconds is deleted, at start and by a periodic sweep (at least once a minute).
   * Default undefined: never, as 3.1.1 sessions do not expire by themselves; set it to bound
   * the store when clients may never come back.
   */
  maxSessionAgeSeconds?: number;
  /**
   * Makes this broker one node of a cluster (`openRedisCluster` of `@ternmq/redis` gives the
   * bus and the shared stores to pass as `persistence`). See cluster.ts. Offline sessions
   * then live in the shared store only, and `maxSessionAgeSeconds` expires them there.
   */
  cluster?: ClusterBus;
}

/** Why a connection of a connected client ended (the `client-disconnected` event). */
export type DisconnectReason =
  | "disconnect"
  | "keepalive-timeout"
  | "protocol-error"
  | "io-error"
  | "closed"
  | "takeover"
  | "server-shutdown"
  | "slow-consumer"
  | "connect-timeout"
  /** Closed by an operator (`BrokerInspector.disconnect`, the admin API). */
  | "admin-disconnect";

/** A message as `Broker.publish` takes it and the `published` event reports it. */
export interface BrokerMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface BrokerEvents {
  "client-connected": [client: ClientInfo, sessionPresent: boolean];
  "client-disconnected": [client: ClientInfo, reason: DisconnectReason];
  subscribed: [client: ClientInfo, subscriptions: readonly { topicFilter: string; qos: number }[]];
  unsubscribed: [client: ClientInfo, topicFilters: readonly string[]];
  published: [client: ClientInfo | undefined, message: BrokerMessage];
  dropped: [clientId: string, reason: string, count: number];
  /**
   * A store write failed (the error names the file and the cause): the broker logs it at
   * `fatal` and closes itself; nothing is acknowledged after it (fail-stop).
   */
  "store-failed": [error: StoreError];
}

/** A TCP listener made by `Broker.listen`. */
export interface Listener {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}
