/**
 * The will message of a connection: checked and stored at CONNECT, published on every
 * ungraceful end of the connection [MQTT-3.1.2-8], discarded on DISCONNECT [MQTT-3.1.2-10].
 */
import type { Will } from "@ternmq/codec";
import type { TopicError } from "@ternmq/topics";
import type { BrokerSettings } from "./context.js";
import { checkTopicName } from "./limits.js";
import type { DisconnectReason } from "./types.js";

/**
 * A will topic must be a valid topic name (no wildcards) [MQTT-3.1.3-10], within
 * `maxTopicLength` and `maxTopicLevels`.
 */
export function validateWill(will: Will, settings: BrokerSettings): TopicError | undefined {
  return checkTopicName(will.topic, settings);
}

/**
 * Whether a connection that ended for `reason` publishes its will: every end except a
 * DISCONNECT from the client [MQTT-3.1.2-10] and a broker shutdown (the broker's choice,
 * as its own restart is not the client's failure).
 */
export function publishesWill(reason: DisconnectReason): boolean {
  return reason !== "disconnect" && reason !== "server-shutdown";
}
