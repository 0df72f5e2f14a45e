/**
 * The broker's Prometheus metrics, on a Registry of their own.
 *
 * Design: nothing is counted twice. Every `ternmq_*` metric reads the broker's own counters
 * (`broker.stats`, `broker.inspector`) when scraped, in a prom-client `collect` callback; a
 * counter mirrors a monotonic broker counter by `reset()` + `inc(value)` inside its collect.
 * The one metric fed between scrapes is the store write histogram, observed through
 * `inspector.onStoreWrite` (so the write-ahead gate takes timestamps only while an admin
 * server runs). Process metrics, event-loop lag included, come from prom-client's default
 * collectors (`process_*`, `nodejs_*`).
 */
import type { Broker, DisconnectReason } from "@ternmq/broker";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { TopicTree } from "./topic-tree.js";

/** Every reason of `client-disconnected`, so that each series exists from the start. */
export const DISCONNECT_REASONS = [
  "disconnect",
  "keepalive-timeout",
  "protocol-error",
  "io-error",
  "closed",
  "takeover",
  "server-shutdown",
  "slow-consumer",
  "connect-timeout",
  "admin-disconnect",
] as const satisfies readonly DisconnectReason[];

/** Reasons of `dropped` events, plus `rate-limit` (QoS 0 over a per-client rate limit). */
export const DROP_REASONS = ["queue-full", "qos0-offline", "slow-consumer", "rate-limit"] as const;

const QOS_LABELS = ["0", "1", "2"] as const;

/** Store write latency buckets, seconds: 100 µs (memory, relaxed) to 2.5 s (a slow disk). */
const STORE_WRITE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

export interface BrokerMetrics {
  readonly registry: Registry;
  /** Stops observing the store (the registry keeps its last values). */
  stop(): void;
}

/** Counters of one label, read at scrape time. */
type LabelledValues = ReadonlyArray<readonly [label: string, value: number]>;

/**
 * A Counter whose value is the broker's own monotonic counter, read at each scrape.
 */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function labelledCounter(
  registry: Registry,
  name: string,
  help: string,
  labelName: string,
  read: () => LabelledValues,
): void {
  new Counter({
    name,
    help,
    labelNames: [labelName],
    registers: [registry],
    collect() {
      this.reset();
      for (const [label, value] of read()) this.inc({ [labelName]: label }, value);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

function byQoS(counts: readonly number[]): LabelledValues {
  return QOS_LABELS.map((label, qos) => [label, counts[qos] ?? 0] as const);
}

/** Metrics of `broker` (and of the admin server's topic tree) on a new Registry. */
export function createBrokerMetrics(broker: Broker, topics: TopicTree): BrokerMetrics {
  const registry = new Registry();
  const { stats, inspector } = broker;

  gauge(
    registry,
    "ternmq_clients_connected",
    "Clients connected now.",
    () => stats.clientsConnected,
  );
  gauge(
    registry,
    "ternmq_sessions_offline",
    "Persistent sessions (clean session 0) without a connection.",
    () => stats.clientsDisconnected,
  );
  gauge(
    registry,
    "ternmq_clients_maximum",
    "Highest number of clients connected at once since start.",
    () => stats.clientsMaximum,
  );
  mirroredCounter(
    registry,
    "ternmq_connects_total",
    "CONNECTs accepted (CONNACK 0).",
    () => inspector.connects,
  );
  labelledCounter(
    registry,
    "ternmq_disconnects_total",
    "Connections of connected clients that ended, by reason.",
    "reason",
    () => DISCONNECT_REASONS.map((reason) => [reason, inspector.disconnects.get(reason) ?? 0]),
  );
  labelledCounter(
    registry,
    "ternmq_limit_refusals_total",
    "Refusals by a broker limit (connections, packets, topics, subscriptions, rates).",
    "limit",
    () => Object.entries(stats.limits),
  );
  labelledCounter(
    registry,
    "ternmq_messages_received_total",
    "PUBLISH packets received from clients, by QoS.",
    "qos",
    () => byQoS(inspector.traffic.received),
  );
  labelledCounter(
    registry,
    "ternmq_messages_sent_total",
    "PUBLISH packets written to clients, by the QoS they were delivered at.",
    "qos",
    () => byQoS(inspector.traffic.sent),
  );
  labelledCounter(
    registry,
    "ternmq_payload_bytes_received_total",
    "Payload bytes of the PUBLISH packets received, by QoS.",
    "qos",
    () => byQoS(inspector.traffic.receivedBytes),
  );
  labelledCounter(
    registry,
    "ternmq_payload_bytes_sent_total",
    "Payload bytes of the PUBLISH packets sent, by QoS.",
    "qos",
    () => byQoS(inspector.traffic.sentBytes),
  );
  mirroredCounter(
    registry,
    "ternmq_bytes_received_total",
    "Bytes read from client connections (every packet).",
    () => stats.bytesReceived,
  );
  mirroredCounter(
    registry,
    "ternmq_bytes_sent_total",
    "Bytes written to client connections (every packet).",
    () => stats.bytesSent,
  );
  labelledCounter(
    registry,
    "ternmq_messages_dropped_total",
    "Messages a subscriber did not get (or a publisher's QoS 0 over its rate), by reason.",
    "reason",
    () =>
      DROP_REASONS.map((reason) => [
        reason,
        reason === "rate-limit"
          ? stats.limits.messagesRateDropped
          : (inspector.drops.get(reason) ?? 0),
      ]),
  );
  gauge(
    registry,
    "ternmq_inflight_messages",
    "Outbound QoS 1/2 messages awaiting acknowledgement, all sessions.",
    () => inspector.totals().inflight,
  );
  gauge(
    registry,
    "ternmq_queued_messages",
    "Messages waiting in session queues (offline, or past the inflight window), all sessions.",
    () => inspector.totals().queued,
  );
  gauge(
    registry,
    "ternmq_queued_bytes",
    "Bytes (payload + topic) waiting in session queues, all sessions.",
    () => inspector.totals().queuedBytes,
  );
  gauge(
    registry,
    "ternmq_retained_messages",
    "Retained messages stored.",
    () => stats.retainedCount,
  );
  gauge(
    registry,
    "ternmq_subscriptions",
    "Subscriptions of every session (shared ones included).",
    () => stats.subscriptionsCount,
  );
  gauge(
    registry,
    "ternmq_admin_topics",
    "Topics held by the admin server's topic tree (bounded).",
    () => topics.size,
  );
  gauge(
    registry,
    "ternmq_uptime_seconds",
    "Seconds since the broker started.",
    () => (Date.now() - stats.startedAt) / 1000,
  );

  const storeWrites = new Histogram({
    name: "ternmq_store_write_duration_seconds",
    help: "Time from a store write's issue to its being durable (commit latency, group-commit wait included).",
    buckets: STORE_WRITE_BUCKETS,
    registers: [registry],
  });
  const stopObserving = inspector.onStoreWrite((milliseconds) => {
    storeWrites.observe(milliseconds / 1000);
  });

  collectDefaultMetrics({ register: registry });

  return { registry, stop: stopObserving };
}
