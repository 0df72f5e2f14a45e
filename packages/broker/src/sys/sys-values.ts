/**
 * What the broker publishes under `$SYS`: topic names (Mosquitto's, see mosquitto(8)
 * "BROKER STATUS") and their values as decimal strings, computed from the broker's counters.
 *
 * Design: pure. `SysValues.collect(stats, nowMs)` samples the load averages and returns every
 * topic with its current value; the publisher decides which of them changed. Values follow
 * Mosquitto's formats: counters as integers, uptime as "N seconds", loads with two decimals.
 */
import type { ClusterBus } from "../cluster.js";
import type { BrokerStats } from "../types.js";
import { LOAD_WINDOWS, LoadAverage } from "./load-average.js";

/** The counters `$SYS` reads: the broker's live `BrokerStats`. */
export type SysStats = Readonly<BrokerStats>;

/** Counters that the publisher keeps itself (the broker exposes them as events). */
export interface SysOwnCounters {
  /** Successful CONNECTs since the publisher started. */
  readonly connections: number;
}

type Counter = (stats: SysStats, own: SysOwnCounters) => number;

/**
 * Load topics (under `$SYS/broker/load/`, followed by `/1min`, `/5min`, `/15min`) and the
 * monotonic counter each one is the rate of. The broker counts PUBLISH packets only, so
 * `messages/*` and `publish/*` carry the same rate (Mosquitto counts every packet type in
 * `messages/*`).
 */
const LOAD_COUNTERS: readonly (readonly [topic: string, counter: Counter])[] = [
  ["messages/received", (stats) => stats.messagesReceived],
  ["messages/sent", (stats) => stats.messagesSent],
  ["publish/received", (stats) => stats.messagesReceived],
  ["publish/sent", (stats) => stats.messagesSent],
  ["publish/dropped", (stats) => stats.messagesDropped],
  ["bytes/received", (stats) => stats.bytesReceived],
  ["bytes/sent", (stats) => stats.bytesSent],
  ["connections", (_stats, own) => own.connections],
];

/** Counter and gauge topics (under `$SYS/broker/`), published as decimal integers. */
const COUNTER_TOPICS: readonly (readonly [topic: string, counter: (stats: SysStats) => number])[] =
  [
    ["clients/connected", (stats) => stats.clientsConnected],
    ["clients/disconnected", (stats) => stats.clientsDisconnected],
    ["clients/total", (stats) => stats.clientsTotal],
    ["clients/maximum", (stats) => stats.clientsMaximum],
    ["messages/received", (stats) => stats.messagesReceived],
    ["messages/sent", (stats) => stats.messagesSent],
    // Not a Mosquitto topic (Mosquitto has publish/messages/dropped only): the name the
    // broker issue lists, kept beside Mosquitto's so that either finds the count.
    ["messages/dropped", (stats) => stats.messagesDropped],
    ["publish/messages/received", (stats) => stats.messagesReceived],
    ["publish/messages/sent", (stats) => stats.messagesSent],
    ["publish/messages/dropped", (stats) => stats.messagesDropped],
    ["bytes/received", (stats) => stats.bytesReceived],
    ["bytes/sent", (stats) => stats.bytesSent],
    ["subscriptions/count", (stats) => stats.subscriptionsCount],
    ["retained messages/count", (stats) => stats.retainedCount],
    // Not Mosquitto topics: how often each of the broker's limits refused something.
    ["limits/connections/refused", (stats) => stats.limits.connectionsRefused],
    ["limits/connections/per-address", (stats) => stats.limits.connectionsPerAddressExceeded],
    ["limits/connections/rate", (stats) => stats.limits.connectionRateExceeded],
    ["limits/connections/connect-timeout", (stats) => stats.limits.connectTimeouts],
    ["limits/packets/too-large", (stats) => stats.limits.packetsTooLarge],
    ["limits/client-ids/too-long", (stats) => stats.limits.clientIdsTooLong],
    ["limits/messages/rate-dropped", (stats) => stats.limits.messagesRateDropped],
    ["limits/messages/rate-delayed", (stats) => stats.limits.messagesRateDelayed],
    ["limits/subscriptions/refused", (stats) => stats.limits.subscriptionsRefused],
    ["limits/topics/too-long", (stats) => stats.limits.topicsTooLong],
    ["limits/topics/too-deep", (stats) => stats.limits.topicsTooDeep],
  ];

const PREFIX = "$SYS/broker/";

/** Every `$SYS` topic name this module publishes, in publishing order. */
export const SYS_TOPICS: readonly string[] = [
  `${PREFIX}version`,
  `${PREFIX}uptime`,
  ...COUNTER_TOPICS.map(([topic]) => PREFIX + topic),
  ...LOAD_COUNTERS.flatMap(([topic]) =>
    LOAD_WINDOWS.map((window) => `${PREFIX}load/${topic}/${window.suffix}`),
  ),
];

/** Computes the `$SYS` values of one broker; keeps the load averages between calls. */
export class SysValues {
  private readonly versionText: string;
  private readonly loads: LoadAverage[];

  /** `version` is the broker's version ("0.1.0"); `startMs` is when the counters were read. */
  constructor(version: string, stats: SysStats, own: SysOwnCounters, startMs: number) {
    this.versionText = `ternmq version ${version}`;
    this.loads = LOAD_COUNTERS.map(([, counter]) => new LoadAverage(counter(stats, own), startMs));
  }

  /**
   * Samples the load averages at `nowMs` and returns [topic, value] for every topic of
   * SYS_TOPICS, in that order.
   */
  collect(stats: SysStats, own: SysOwnCounters, nowMs: number): [topic: string, value: string][] {
    const uptimeSeconds = Math.max(0, Math.floor((nowMs - stats.startedAt) / 1000));
    const values: [string, string][] = [
      [`${PREFIX}version`, this.versionText],
      [`${PREFIX}uptime`, `${uptimeSeconds} seconds`],
    ];
    for (const [topic, counter] of COUNTER_TOPICS) {
      values.push([PREFIX + topic, String(counter(stats))]);
    }
    LOAD_COUNTERS.forEach(([topic, counter], index) => {
      const load = this.loads[index] as LoadAverage;
      load.sample(counter(stats, own), nowMs);
      for (const window of LOAD_WINDOWS) {
        values.push([
          `${PREFIX}load/${topic}/${window.suffix}`,
          load.load(window.suffix).toFixed(2),
        ]);
      }
    });
    return values;
  }
}

/**
 * The `$SYS/broker/cluster/...` topics of a cluster node (not Mosquitto topics): this node's
 * id, the live nodes and clients across the cluster, and this node's traffic with the others.
 */
export function clusterValues(bus: ClusterBus): [topic: string, value: string][] {
  const stats = bus.stats();
  const prefix = `${PREFIX}cluster/`;
  return [
    [`${prefix}node`, bus.nodeId],
    [`${prefix}nodes`, String(stats.nodes)],
    [`${prefix}clients/connected`, String(stats.clientsConnected)],
    [`${prefix}messages/forwarded`, String(stats.messagesForwarded)],
    [`${prefix}messages/received`, String(stats.messagesReceived)],
    [`${prefix}inbox/appended`, String(stats.inboxAppended)],
  ];
}
