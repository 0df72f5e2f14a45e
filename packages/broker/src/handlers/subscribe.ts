/**
 * SUBSCRIBE: each filter validated (with `maxTopicLength` and `maxTopicLevels`), capped by
 * `maxQoS`, passed to `authorizeSubscribe`, and held to `maxSubscriptionsPerClient`; SUBACK
 * with one return code per filter in order [MQTT-3.8.4-5]; then the retained messages of the
 * granted non-shared filters.
 */
import type { QoS, SubscribePacket, Subscription } from "@ternmq/codec";
import { isSharedSubscription } from "@ternmq/topics";
import type { Connection } from "../connection.js";
import { type MaybePromise, SUBACK_FAILURE } from "../hooks.js";
import { checkTopicFilter, countLimitError } from "../limits.js";
import type { SessionEntry } from "../session-registry.js";
import type { MaybeAsyncOutcome } from "./outcome.js";

type ReturnCode = QoS | typeof SUBACK_FAILURE;

export function handleSubscribe(
  connection: Connection,
  entry: SessionEntry,
  packet: SubscribePacket,
): MaybeAsyncOutcome {
  // Checks that the packet id is not one of an unfinished inbound PUBLISH [MQTT-2.3.1-2].
  entry.engine.handlePacket(packet, connection.context.now());
  const codes: MaybePromise<ReturnCode>[] = [];
  let waiting = false;
  for (const subscription of packet.subscriptions) {
    const code = authorize(connection, subscription);
    if (typeof code !== "number") waiting = true;
    codes.push(code);
  }
  if (!waiting) return complete(connection, entry, packet, codes as ReturnCode[]);
  return Promise.all(codes).then((settled) => complete(connection, entry, packet, settled));
}

function authorize(connection: Connection, subscription: Subscription): MaybePromise<ReturnCode> {
  const { settings, hooks, stats } = connection.context;
  const filter = subscription.topicFilter;
  const invalid = checkTopicFilter(filter, settings);
  if (invalid !== undefined) {
    countLimitError(stats.limits, invalid);
    return SUBACK_FAILURE;
  }
  const requested = Math.min(subscription.qos, settings.maxQoS) as QoS;
  const client = connection.client;
  return client === undefined
    ? SUBACK_FAILURE
    : hooks.authorizeSubscribe(client, filter, requested);
}

function complete(
  connection: Connection,
  entry: SessionEntry,
  packet: SubscribePacket,
  codes: readonly ReturnCode[],
): MaybeAsyncOutcome {
  if (connection.state !== "connected") return undefined;
  const { registry, retained, events, settings, stats } = connection.context;
  const granted: { topicFilter: string; qos: QoS }[] = [];
  const withRetained: { topicFilter: string; qos: QoS }[] = [];
  const maxSubscriptions = settings.limits.maxSubscriptionsPerClient;
  const returnCodes = codes.slice();
  packet.subscriptions.forEach((subscription, index) => {
    const code = codes[index];
    if (code === undefined || code === SUBACK_FAILURE) return;
    const topicFilter = subscription.topicFilter;
    // A new filter beyond the limit is refused; one that replaces a subscription is not new.
    if (entry.subscriptions.size >= maxSubscriptions && !entry.subscriptions.has(topicFilter)) {
      stats.limits.subscriptionsRefused++;
      returnCodes[index] = SUBACK_FAILURE;
      return;
    }
    registry.subscribe(entry, topicFilter, code); // a repeated filter replaces [MQTT-3.8.4-3]
    granted.push({ topicFilter, qos: code });
    if (!isSharedSubscription(topicFilter)) withRetained.push({ topicFilter, qos: code });
  });
  // Write-ahead: a persistent session's SUBACK leaves once its subscription list is stored,
  // and in a cluster once every node knows the new routes.
  const cluster = connection.context.cluster;
  if (granted.length > 0) {
    registry.subscriptionsChanged(entry);
    if (cluster !== undefined) connection.context.writes.track(cluster.bus.syncRoutes());
  }
  // [MQTT-3.8.4-1] SUBACK with the same packet id; [MQTT-3.9.3-1] codes in order.
  const suback = { type: "suback", packetId: packet.packetId, reasonCodes: returnCodes } as const;
  const afterWrites = granted.length > 0 && (entry.persistent || cluster !== undefined);
  connection.context.writes.send(connection, [suback], afterWrites);
  if (granted.length === 0) return undefined;
  if (connection.client !== undefined) events.emit("subscribed", connection.client, granted);
  // Streamed after the SUBACK at the subscriber's pace, beside this connection's packets.
  if (settings.retainAvailable && withRetained.length > 0) {
    retained.deliver(connection.context, connection, entry, withRetained);
  }
  return undefined;
}
