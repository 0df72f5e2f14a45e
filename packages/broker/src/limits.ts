/**
 * BrokerLimits: defaults and validation in one place, so that every limit is enforced from
 * the same resolved values.
 */
import { DEFAULT_MAX_TOPIC_LEVELS } from "@ternmq/topics";
import { BrokerError } from "./errors.js";
import type { BrokerLimits, BrokerOptions } from "./types.js";

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
});

/** [min, max] of each limit; maxConnections may also be Infinity. */
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
};

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
    const infinityAllowed = name === "maxConnections" && value === Number.POSITIVE_INFINITY;
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
}
