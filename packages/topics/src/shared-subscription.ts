import { REASON_TOPIC_FILTER_INVALID, TopicError } from "./topic-error.js";
import { type TopicValidationOptions, validateTopicFilter } from "./validate.js";

/** The prefix of an MQTT 5.0 shared subscription: `$share/{ShareName}/{filter}`. */
export const SHARED_SUBSCRIPTION_PREFIX = "$share/";

/** A parsed `$share/{shareName}/{topicFilter}`. */
export interface SharedSubscription {
  /** The ShareName: the group whose members take turns receiving each message. */
  readonly shareName: string;
  /** The filter that topics are matched against (without the `$share/{shareName}/` prefix). */
  readonly topicFilter: string;
}

/** True when `filter` starts with `$share/`, i.e. names a shared subscription in MQTT 5.0. */
export function isSharedSubscription(filter: string): boolean {
  return filter.startsWith(SHARED_SUBSCRIPTION_PREFIX);
}

/**
 * Splits and checks a 5.0 shared subscription filter `$share/{shareName}/{topicFilter}`.
 *
 * Parameters: `filter`, which must start with `$share/` (see `isSharedSubscription`);
 * `options.maxLevels` bounds the levels of `topicFilter`.
 * Returns: the parts, or a `TopicError`: `MQTT_ERR_SHARED_SUBSCRIPTION_INVALID` for the share
 * syntax ([MQTT-4.8.2-1], [MQTT-4.8.2-2]), or the error `validateTopicFilter` gives for the
 * filter part (empty, wildcard misuse, U+0000, too many levels). The whole string is also held
 * to 65,535 UTF-8 bytes.
 */
export function parseSharedSubscription(
  filter: string,
  options?: TopicValidationOptions,
): SharedSubscription | TopicError {
  if (!isSharedSubscription(filter)) {
    return sharedError("MQTT-4.8.2-1", "does not start with $share/");
  }
  const nameStart = SHARED_SUBSCRIPTION_PREFIX.length;
  const nameEnd = filter.indexOf("/", nameStart);
  // [MQTT-4.8.2-2] The ShareName is followed by "/" ...
  if (nameEnd === -1) return sharedError("MQTT-4.8.2-2", "has no topic filter after the ShareName");
  // [MQTT-4.8.2-1] ... and is at least one character long ...
  if (nameEnd === nameStart) return sharedError("MQTT-4.8.2-1", "has an empty ShareName");
  const shareName = filter.slice(nameStart, nameEnd);
  // [MQTT-4.8.2-2] ... without "+" or "#" ("/" ends it by construction).
  if (shareName.includes("+") || shareName.includes("#")) {
    return sharedError("MQTT-4.8.2-2", "has a wildcard in the ShareName");
  }
  // [MQTT-4.8.2-2] ... and the "/" is followed by a Topic Filter.
  if (nameEnd + 1 === filter.length) {
    return sharedError("MQTT-4.8.2-2", "has no topic filter after the ShareName");
  }
  const topicFilter = filter.slice(nameEnd + 1);
  const filterError = validateTopicFilter(topicFilter, options);
  if (filterError !== undefined) return filterError;
  // The ShareName's own characters (U+0000, surrogates) and the total length [MQTT-4.7.3-3].
  const wholeError = validateTopicFilter(filter, { maxLevels: Number.POSITIVE_INFINITY });
  if (wholeError !== undefined) return wholeError;
  return { shareName, topicFilter };
}

function sharedError(spec: string, problem: string): TopicError {
  return new TopicError(
    "MQTT_ERR_SHARED_SUBSCRIPTION_INVALID",
    `Shared subscription filter ${problem}`,
    spec,
    REASON_TOPIC_FILTER_INVALID,
  );
}
