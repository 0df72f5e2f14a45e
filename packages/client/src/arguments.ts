/**
 * What the application passes in, checked and turned into what the engine and the codec
 * take: messages, subscriptions, the CONNECT. Every refusal is MQTT_ERR_CLIENT_INVALID_ARGUMENT
 * (with the topics/codec error as `cause` and its `spec`).
 */
import { type ConnectPacket, encodedLength, type QoS, type Subscription } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import { validateTopicFilter, validateTopicName } from "@ternmq/topics";
import type { PublishOptions, SubscribeFilters } from "./api-types.js";
import { invalidArgument } from "./errors.js";
import { checkQos, type ResolvedOptions } from "./options.js";

const utf8 = new TextEncoder();

/** [MQTT-4.7.1-1] [MQTT-4.7.3-1]: wildcards in their places, not empty. */
export function checkFilter(filter: string): void {
  if (typeof filter !== "string") throw invalidArgument("a topic filter must be a string");
  const error = validateTopicFilter(filter);
  if (error !== undefined) throw invalidArgument(`invalid topic filter "${filter}"`, error);
}

/** The message of `publish()`. [MQTT-3.3.2-2]: no wildcard in a topic name. */
export function toMessage(
  topic: string,
  payload: string | Uint8Array,
  options: PublishOptions,
): SessionMessage {
  if (typeof topic !== "string") throw invalidArgument("the topic must be a string");
  const topicError = validateTopicName(topic);
  if (topicError !== undefined) throw invalidArgument(`invalid topic "${topic}"`, topicError);
  const bytes = typeof payload === "string" ? utf8.encode(payload) : payload;
  if (!(bytes instanceof Uint8Array)) {
    throw invalidArgument("the payload must be a string or a Uint8Array");
  }
  return {
    topic,
    payload: bytes,
    qos: checkQos("qos", options.qos ?? 0),
    retain: options.retain ?? false,
  };
}

/** The subscriptions of `subscribe()`; [MQTT-3.8.3-3]: at least one. */
export function toSubscriptions(filters: SubscribeFilters, qos: QoS): Subscription[] {
  let subscriptions: Subscription[];
  if (typeof filters === "string") {
    subscriptions = [{ topicFilter: filters, qos: checkQos("qos", qos) }];
  } else if (Array.isArray(filters)) {
    subscriptions = (filters as readonly string[]).map((topicFilter) => ({
      topicFilter,
      qos: checkQos("qos", qos),
    }));
  } else {
    subscriptions = Object.entries(filters as Record<string, { qos?: QoS }>).map(
      ([topicFilter, entry]) => ({ topicFilter, qos: checkQos("qos", entry?.qos ?? 0) }),
    );
  }
  if (subscriptions.length === 0) throw invalidArgument("no topic filter [MQTT-3.8.3-3]");
  for (const subscription of subscriptions) checkFilter(subscription.topicFilter);
  return subscriptions;
}

/** The filters of `unsubscribe()`; [MQTT-3.10.3-2]: at least one. */
export function toFilters(filters: string | readonly string[]): string[] {
  const list = typeof filters === "string" ? [filters] : [...filters];
  if (list.length === 0) throw invalidArgument("no topic filter [MQTT-3.10.3-2]");
  for (const filter of list) checkFilter(filter);
  return list;
}

/** The CONNECT of every attempt, validated once by measuring it with the codec. */
export function buildConnect(options: ResolvedOptions): ConnectPacket {
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: options.protocolVersion,
    clientId: options.clientId,
    clean: options.clean,
    keepalive: options.keepalive,
  };
  if (options.username !== undefined) packet.username = options.username;
  if (options.password !== undefined) packet.password = options.password;
  if (options.will !== undefined) {
    const willError = validateTopicName(options.will.topic);
    if (willError !== undefined) throw invalidArgument("invalid will topic", willError);
    packet.will = options.will;
  }
  try {
    encodedLength(packet, { protocolVersion: options.protocolVersion });
  } catch (error) {
    throw invalidArgument("these options do not make a valid CONNECT", error);
  }
  return packet;
}
