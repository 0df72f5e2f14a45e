/**
 * BrokerLimits: defaults and validation in one place, so that every limit is enforced from
 * the same resolved values; the counters of their refusals (`BrokerStats.limits`, published
 * under `$SYS/broker/limits/`); and the topic checks that apply `maxTopicLength` before the
 * topics package's rules. The rate limits are in rate-limit.ts and address-limits.ts.
 */
import { MqttError } from "@ternmq/codec";
import {
  DEFAULT_MAX_TOPIC_LEVELS,
  isSharedSubscription,
  MAX_TOPIC_BYTES,
  parseSharedSubscription,
  REASON_TOPIC_FILTER_INVALID,
  REASON_TOPIC_NAME_INVALID,
  TopicError,
  validateTopicFilter,
  validateTopicName,
} from "@ternmq/topics";
import { BrokerError } from "./errors.js";
import type { BrokerLimits, BrokerOptions, LimitCounters } from "./types.js";

/** The protocol maximum: Remaining Length 268,435,455 plus a 5-byte fixed header. */
const PROTOCOL_MAX_PACKET_SIZE = 268_435_460;

export const DEFAULT_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maxConnections: Number.POSITIVE_INFINITY,
  connectTimeoutMs: 10_000,
  maxPacketSize: PROTOCOL_MAX_PACKET_SIZE,
  maxKeepalive: 65_535,
  maxClientIdLength: 65_535,
  maxTopicLevels: DEFAULT_MAX_TOPIC_LEVELS,
  maxInflight: 100,
  maxQueuedMessages: 1000,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxOutgoingBufferBytes: 1024 * 1024,
  drainTimeoutMs: 30_000,
  maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
  connectionsPerSecondPerAddress: Number.POSITIVE_INFINITY,
  messagesPerSecondPerClient: Number.POSITIVE_INFINITY,
  bytesPerSecondPerClient: Number.POSITIVE_INFINITY,
  maxSubscriptionsPerClient: 10_000,
  maxTopicLength: MAX_TOPIC_BYTES,
});

/** [min, max] of each limit; those in UNLIMITED_ALLOWED may also be Infinity. */
const RANGES: Readonly<Record<keyof BrokerLimits, readonly [number, number]>> = {
  maxConnections: [1, Number.MAX_SAFE_INTEGER],
  connectTimeoutMs: [1, 2_147_483_647],
  maxPacketSize: [2, PROTOCOL_MAX_PACKET_SIZE],
  maxKeepalive: [0, 65_535],
  // 3.1.1 servers MUST allow 1 to 23 characters [MQTT-3.1.3-5].
  maxClientIdLength: [23, 65_535],
  maxTopicLevels: [1, 65_535],
  maxInflight: [1, 65_535],
  maxQueuedMessages: [0, Number.MAX_SAFE_INTEGER],
  maxQueuedBytes: [0, Number.MAX_SAFE_INTEGER],
  maxOutgoingBufferBytes: [1, Number.MAX_SAFE_INTEGER],
  drainTimeoutMs: [1, 2_147_483_647],
  maxConnectionsPerAddress: [1, Number.MAX_SAFE_INTEGER],
  connectionsPerSecondPerAddress: [1, Number.MAX_SAFE_INTEGER],
  messagesPerSecondPerClient: [1, Number.MAX_SAFE_INTEGER],
  bytesPerSecondPerClient: [1, Number.MAX_SAFE_INTEGER],
  maxSubscriptionsPerClient: [1, Number.MAX_SAFE_INTEGER],
  // A topic must be at least one character [MQTT-4.7.3-1] and at most 65,535 bytes [MQTT-4.7.3-3].
  maxTopicLength: [1, MAX_TOPIC_BYTES],
};

/** The limits that `Infinity` turns off. */
const UNLIMITED_ALLOWED: ReadonlySet<keyof BrokerLimits> = new Set([
  "maxConnections",
  "maxConnectionsPerAddress",
  "connectionsPerSecondPerAddress",
  "messagesPerSecondPerClient",
  "bytesPerSecondPerClient",
  "maxSubscriptionsPerClient",
]);

function invalid(name: string, value: unknown): never {
  throw new BrokerError(
    "MQTT_ERR_BROKER_INVALID_OPTION",
    `invalid broker option ${name}: ${String(value)}`,
  );
}

/**
 * Applies the defaults to `limits` and validates every value.
 *
 * Throws: BrokerError MQTT_ERR_BROKER_INVALID_OPTION naming the first bad limit.
 */
export function resolveLimits(limits: Partial<BrokerLimits> = {}): BrokerLimits {
  const resolved: BrokerLimits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(limits) as (keyof BrokerLimits)[]) {
    const range = RANGES[name];
    if (range === undefined) invalid(`limits.${String(name)}`, "unknown limit");
    const value = limits[name];
    if (value === undefined) continue;
    const infinityAllowed = UNLIMITED_ALLOWED.has(name) && value === Number.POSITIVE_INFINITY;
    if (!infinityAllowed && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
      invalid(`limits.${name}`, value);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** The other numeric options of BrokerOptions, checked the same way. */
export function validateOptions(options: BrokerOptions): void {
  const { maxQoS, sysInterval, shutdownTimeoutMs } = options;
  if (maxQoS !== undefined && maxQoS !== 0 && maxQoS !== 1 && maxQoS !== 2)
    invalid("maxQoS", maxQoS);
  if (sysInterval !== undefined && !(Number.isFinite(sysInterval) && sysInterval >= 0)) {
    invalid("sysInterval", sysInterval);
  }
  if (
    shutdownTimeoutMs !== undefined &&
    !(Number.isFinite(shutdownTimeoutMs) && shutdownTimeoutMs >= 0)
  ) {
    invalid("shutdownTimeoutMs", shutdownTimeoutMs);
  }
  const { maxSessionAgeSeconds } = options;
  if (
    maxSessionAgeSeconds !== undefined &&
    !(Number.isInteger(maxSessionAgeSeconds) && maxSessionAgeSeconds >= 1)
  ) {
    invalid("maxSessionAgeSeconds", maxSessionAgeSeconds);
  }
}

/** Counters of a new broker, all 0 (`BrokerStats.limits`). */
export function createLimitCounters(): LimitCounters {
  return {
    connectionsRefused: 0,
    connectionsPerAddressExceeded: 0,
    connectionRateExceeded: 0,
    connectTimeouts: 0,
    packetsTooLarge: 0,
    clientIdsTooLong: 0,
    messagesRateDropped: 0,
    messagesRateDelayed: 0,
    subscriptionsRefused: 0,
    topicsTooLong: 0,
    topicsTooDeep: 0,
  };
}

/**
 * Counts `error` against the limit it comes from, if any: a packet over `maxPacketSize`, a
 * topic over `maxTopicLength` or `maxTopicLevels`. Called once per refusal, where it is
 * decided (a closed connection, a refused filter).
 */
export function countLimitError(counters: LimitCounters, error: unknown): void {
  if (!MqttError.isInstance(error)) return;
  switch (error.code) {
    case "MQTT_ERR_PACKET_TOO_LARGE":
      counters.packetsTooLarge++;
      return;
    case "MQTT_ERR_TOPIC_TOO_LONG":
      counters.topicsTooLong++;
      return;
    case "MQTT_ERR_TOPIC_TOO_MANY_LEVELS":
      counters.topicsTooDeep++;
      return;
  }
}

/** What a topic check needs of the broker's settings. */
interface TopicLimits {
  readonly limits: { readonly maxTopicLength: number };
  readonly topicOptions: { readonly maxLevels: number };
}

function topicTooLong(kind: "name" | "filter", length: number, max: number): TopicError {
  return new TopicError(
    "MQTT_ERR_TOPIC_TOO_LONG",
    `topic ${kind} of ${length} characters is longer than maxTopicLength (${max})`,
    undefined, // a server limit, not a rule of the protocol
    kind === "name" ? REASON_TOPIC_NAME_INVALID : REASON_TOPIC_FILTER_INVALID,
  );
}

/**
 * A topic name (PUBLISH, will) checked against `maxTopicLength` (a string length: no scan)
 * and then as the topics package checks names (with `maxTopicLevels`).
 *
 * Returns: undefined when valid, else the TopicError (not thrown; the hot path allocates only
 * on failure).
 */
export function checkTopicName(topic: string, settings: TopicLimits): TopicError | undefined {
  const max = settings.limits.maxTopicLength;
  if (topic.length > max) return topicTooLong("name", topic.length, max);
  return validateTopicName(topic, settings.topicOptions);
}

/**
 * The same for a topic filter of SUBSCRIBE: the whole string against `maxTopicLength`, then a
 * shared subscription (`$share/GROUP/FILTER`) by its rules, any other as a filter.
 */
export function checkTopicFilter(filter: string, settings: TopicLimits): TopicError | undefined {
  const max = settings.limits.maxTopicLength;
  if (filter.length > max) return topicTooLong("filter", filter.length, max);
  if (!isSharedSubscription(filter)) return validateTopicFilter(filter, settings.topicOptions);
  const shared = parseSharedSubscription(filter, settings.topicOptions);
  return shared instanceof TopicError ? shared : undefined;
}
