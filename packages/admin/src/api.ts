/**
 * The JSON documents of the admin API (`/api/...`), built from the broker's inspector at
 * request time. Plain functions of (broker, topic tree, query): no state of their own.
 */
import type { Broker, ClientDetails, ListenerInfo, StoreState } from "@ternmq/broker";
import { DISCONNECT_REASONS, DROP_REASONS } from "./metrics.js";
import { type PayloadPreview, previewPayload } from "./payload.js";
import type { TopicTree } from "./topic-tree.js";
import { ADMIN_VERSION } from "./version.js";

/** `/api/info`: what the broker is, where it listens, where the dashboard's client connects. */
export interface BrokerInfo {
  readonly name: "ternmq";
  readonly version: string;
  readonly state: Broker["state"];
  readonly store: StoreState;
  readonly startedAt: number;
  readonly uptimeSeconds: number;
  readonly listeners: readonly ListenerInfo[];
  /** MQTT over WebSocket for browsers (the dashboard's "try it" panel); undefined: none. */
  readonly websocketUrl: string | undefined;
  readonly maxTopics: number;
}

/** `/api/overview`: the counters the dashboard's charts turn into rates. */
export interface Overview {
  /** ms epoch of this reading. */
  readonly time: number;
  readonly clientsConnected: number;
  readonly sessionsOffline: number;
  readonly clientsMaximum: number;
  readonly connects: number;
  readonly disconnects: Readonly<Record<string, number>>;
  /** PUBLISH packets by QoS `[0, 1, 2]`, and their sum. */
  readonly messagesReceived: readonly number[];
  readonly messagesSent: readonly number[];
  readonly messagesReceivedTotal: number;
  readonly messagesSentTotal: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly droppedTotal: number;
  readonly inflight: number;
  readonly queued: number;
  readonly retained: number;
  readonly subscriptions: number;
}

export function brokerInfo(broker: Broker, topics: TopicTree, requestHost: string): BrokerInfo {
  const listeners = broker.inspector.listeners();
  const now = Date.now();
  return {
    name: "ternmq",
    version: ADMIN_VERSION,
    state: broker.state,
    store: broker.inspector.storeState,
    startedAt: broker.stats.startedAt,
    uptimeSeconds: Math.max(0, Math.round((now - broker.stats.startedAt) / 1000)),
    listeners,
    websocketUrl: websocketUrl(listeners, requestHost),
    maxTopics: topics.maxTopics,
  };
}

/**
 * The URL of the first ws (else wss) listener. A listener on every address (0.0.0.0, ::) is
 * reached at the host name the browser used for the admin server.
 */
export function websocketUrl(
  listeners: readonly ListenerInfo[],
  requestHost: string,
): string | undefined {
  const listener =
    listeners.find((candidate) => candidate.type === "ws") ??
    listeners.find((candidate) => candidate.type === "wss");
  if (listener === undefined) return undefined;
  const everywhere = listener.host === "0.0.0.0" || listener.host === "::" || listener.host === "";
  const host = everywhere ? requestHost : listener.host;
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${listener.type}://${bracketed}:${listener.port}${listener.path ?? "/mqtt"}`;
}

export function overview(broker: Broker): Overview {
  const { stats, inspector } = broker;
  const traffic = inspector.traffic;
  const totals = inspector.totals();
  const disconnects: Record<string, number> = {};
  for (const reason of DISCONNECT_REASONS)
    disconnects[reason] = inspector.disconnects.get(reason) ?? 0;
  const dropped: Record<string, number> = {};
  for (const reason of DROP_REASONS) {
    dropped[reason] =
      reason === "rate-limit"
        ? stats.limits.messagesRateDropped
        : (inspector.drops.get(reason) ?? 0);
  }
  return {
    time: Date.now(),
    clientsConnected: stats.clientsConnected,
    sessionsOffline: stats.clientsDisconnected,
    clientsMaximum: stats.clientsMaximum,
    connects: inspector.connects,
    disconnects,
    messagesReceived: [...traffic.received],
    messagesSent: [...traffic.sent],
    messagesReceivedTotal: sum(traffic.received),
    messagesSentTotal: sum(traffic.sent),
    bytesReceived: stats.bytesReceived,
    bytesSent: stats.bytesSent,
    dropped,
    droppedTotal: sum(Object.values(dropped)),
    inflight: totals.inflight,
    queued: totals.queued,
    retained: stats.retainedCount,
    subscriptions: stats.subscriptionsCount,
  };
}

/** `/api/clients?search=`: sessions whose client id, user name or address contain `search`. */
export function clients(broker: Broker, search: string | null): ClientDetails[] {
  const list = broker.inspector.clients();
  const needle = search?.trim().toLowerCase() ?? "";
  const found =
    needle === ""
      ? list
      : list.filter((client) =>
          [client.clientId, client.username, client.remoteAddress].some((field) =>
            field?.toLowerCase().includes(needle),
          ),
        );
  return found.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
}

/** `/api/subscriptions`: one row per (client, filter). */
export function subscriptions(
  broker: Broker,
): { clientId: string; topicFilter: string; qos: number }[] {
  const rows: { clientId: string; topicFilter: string; qos: number }[] = [];
  for (const client of broker.inspector.clients()) {
    for (const { topicFilter, qos } of client.subscriptions) {
      rows.push({ clientId: client.clientId, topicFilter, qos });
    }
  }
  return rows;
}

/** `/api/retained?limit=`: retained messages with a payload preview. */
export async function retained(
  broker: Broker,
  limit: number,
): Promise<(PayloadPreview & { topic: string; qos: number; receivedAt: number | undefined })[]> {
  const messages = await broker.inspector.retained(limit);
  return messages.map((message) => ({
    topic: message.topic,
    qos: message.qos,
    receivedAt: message.receivedAt,
    ...previewPayload(message.payload),
  }));
}

/** `/api/topics`: the topic tree's topics (sorted by name) with their last payload. */
export function topics(tree: TopicTree): (PayloadPreview & {
  topic: string;
  qos: number;
  retain: boolean;
  messages: number;
  updatedAt: number;
})[] {
  return tree.list().map((entry) => ({
    topic: entry.topic,
    qos: entry.qos,
    retain: entry.retain,
    messages: entry.messages,
    updatedAt: entry.updatedAt,
    ...previewPayload(entry.payload, entry.bytes),
  }));
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
