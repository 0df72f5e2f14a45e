/**
 * The typed error of every topic and filter check.
 *
 * Design: `TopicError` mirrors `MqttError` from `@ternmq/codec` without importing it (this
 * package depends on nothing of ours): it carries the same `Symbol.for("@ternmq/error")` brand,
 * so `MqttError.isInstance(topicError)` is true, plus a stable `code`, the normative statement in
 * `spec` (3.1.1 numbering; the README lists the 5.0 equivalents) and the MQTT 5.0 `reasonCode`
 * a broker sends for it (0x8F Topic Filter invalid in SUBACK/UNSUBACK, 0x90 Topic Name invalid in
 * PUBACK/PUBREC or DISCONNECT).
 */
const brand: unique symbol = Symbol.for("@ternmq/error") as never;
/** Second brand, so `TopicError.isInstance` is false for other TernMQ errors. */
const topicBrand: unique symbol = Symbol.for("@ternmq/topic-error") as never;

/** Every code a `TopicError` can carry. Stable: callers branch on these strings. */
export type TopicErrorCode =
  | "MQTT_ERR_TOPIC_EMPTY"
  | "MQTT_ERR_TOPIC_TOO_LONG"
  | "MQTT_ERR_TOPIC_NULL_CHARACTER"
  | "MQTT_ERR_TOPIC_INVALID_UTF8"
  | "MQTT_ERR_TOPIC_WILDCARD_IN_NAME"
  | "MQTT_ERR_TOPIC_INVALID_WILDCARD"
  | "MQTT_ERR_TOPIC_TOO_MANY_LEVELS"
  | "MQTT_ERR_SHARED_SUBSCRIPTION_INVALID";

/** MQTT 5.0 reason code 0x8F: Topic Filter invalid. */
export const REASON_TOPIC_FILTER_INVALID = 0x8f;
/** MQTT 5.0 reason code 0x90: Topic Name invalid. */
export const REASON_TOPIC_NAME_INVALID = 0x90;

export class TopicError extends Error {
  readonly code: TopicErrorCode;
  /** Normative statement (3.1.1 numbering), or undefined for a server limit (too many levels). */
  readonly spec: string | undefined;
  readonly reasonCode: number;
  /** Always undefined: topic errors are never answered in CONNACK. Kept for MqttError's shape. */
  readonly connackReturnCode: number | undefined = undefined;
  readonly [brand] = true;
  readonly [topicBrand] = true;

  constructor(code: TopicErrorCode, message: string, spec: string | undefined, reasonCode: number) {
    super(message);
    this.name = "TopicError";
    this.code = code;
    this.spec = spec;
    this.reasonCode = reasonCode;
  }

  /** True for a `TopicError` from any copy of this package (checks a brand, not the prototype). */
  static isInstance(value: unknown): value is TopicError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [topicBrand]?: unknown })[topicBrand] === true
    );
  }
}
