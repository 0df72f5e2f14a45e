import {
  REASON_TOPIC_FILTER_INVALID,
  REASON_TOPIC_NAME_INVALID,
  TopicError,
  type TopicErrorCode,
} from "./topic-error.js";

/** Levels allowed by default: deep enough for real topics, shallow enough to bound work. */
export const DEFAULT_MAX_TOPIC_LEVELS = 128;
/** [MQTT-4.7.3-3] A topic or filter must not encode to more than 65,535 UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 65_535;

export interface TopicValidationOptions {
  /** Most levels ("/"-separated parts) allowed; default `DEFAULT_MAX_TOPIC_LEVELS` (128). */
  maxLevels?: number;
}

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const NULL = 0x00;

type TopicKind = "name" | "filter";

/**
 * Checks a Topic Name from PUBLISH (or a Will Topic).
 *
 * Parameters: `topic`; `options.maxLevels` (default 128).
 * Returns: `undefined` when valid, otherwise the `TopicError` (not thrown: this is the broker's
 * hot path, and only the failure allocates).
 * See also: `assertTopicName` (throws), `validateTopicFilter`.
 */
export function validateTopicName(
  topic: string,
  options?: TopicValidationOptions,
): TopicError | undefined {
  return scan(topic, "name", options?.maxLevels ?? DEFAULT_MAX_TOPIC_LEVELS);
}

/**
 * Checks a Topic Filter from SUBSCRIBE or UNSUBSCRIBE, as a plain filter: `$share/{group}/...` is
 * checked only as an ordinary filter here (its 3.1.1 meaning); use `parseSharedSubscription` for
 * the 5.0 shared-subscription rules.
 *
 * Returns: `undefined` when valid, otherwise the `TopicError`.
 * See also: `assertTopicFilter` (throws).
 */
export function validateTopicFilter(
  filter: string,
  options?: TopicValidationOptions,
): TopicError | undefined {
  return scan(filter, "filter", options?.maxLevels ?? DEFAULT_MAX_TOPIC_LEVELS);
}

/** Like `validateTopicName`, but throws the `TopicError`. */
export function assertTopicName(topic: string, options?: TopicValidationOptions): void {
  const error = validateTopicName(topic, options);
  if (error !== undefined) throw error;
}

/** Like `validateTopicFilter`, but throws the `TopicError`. */
export function assertTopicFilter(filter: string, options?: TopicValidationOptions): void {
  const error = validateTopicFilter(filter, options);
  if (error !== undefined) throw error;
}

/**
 * One pass over the string: the first violation found, in string order, wins; the byte length is
 * checked after the pass, so a very deep topic reports too-many-levels after at most
 * `maxLevels` levels have been scanned.
 */
function scan(text: string, kind: TopicKind, maxLevels: number): TopicError | undefined {
  const length = text.length;
  // [MQTT-4.7.3-1] At least one character.
  if (length === 0) return topicError(kind, "MQTT_ERR_TOPIC_EMPTY", "MQTT-4.7.3-1", "is empty");
  let levels = 1;
  let levelStart = 0;
  let bytes = 0;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      bytes += 1;
      if (code === SLASH) {
        levels++;
        if (levels > maxLevels) {
          return topicError(
            kind,
            "MQTT_ERR_TOPIC_TOO_MANY_LEVELS",
            undefined,
            `has more than ${maxLevels} levels`,
          );
        }
        levelStart = index + 1;
      } else if (code === NULL) {
        // [MQTT-4.7.3-2] No U+0000.
        return topicError(kind, "MQTT_ERR_TOPIC_NULL_CHARACTER", "MQTT-4.7.3-2", "contains U+0000");
      } else if (code === PLUS || code === HASH) {
        const error = checkWildcard(text, kind, code, index, levelStart);
        if (error !== undefined) return error;
      }
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // [MQTT-1.5.3-1] Well-formed UTF-8 only: a surrogate must be half of a pair.
      const next = text.charCodeAt(index + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        return topicError(
          kind,
          "MQTT_ERR_TOPIC_INVALID_UTF8",
          "MQTT-1.5.3-1",
          "contains a lone surrogate (not encodable as UTF-8)",
        );
      }
      bytes += 4;
      index++;
    } else {
      bytes += 3;
    }
  }
  if (bytes > MAX_TOPIC_BYTES) {
    // [MQTT-4.7.3-3]
    return topicError(
      kind,
      "MQTT_ERR_TOPIC_TOO_LONG",
      "MQTT-4.7.3-3",
      `encodes to ${bytes} UTF-8 bytes (max ${MAX_TOPIC_BYTES})`,
    );
  }
  return undefined;
}

function checkWildcard(
  text: string,
  kind: TopicKind,
  code: number,
  index: number,
  levelStart: number,
): TopicError | undefined {
  if (kind === "name") {
    // [MQTT-4.7.1-1] (5.0: MQTT-4.7.0-1) No wildcards in a Topic Name.
    return topicError(
      kind,
      "MQTT_ERR_TOPIC_WILDCARD_IN_NAME",
      "MQTT-4.7.1-1",
      "contains a wildcard character",
    );
  }
  const next = text.charCodeAt(index + 1);
  if (code === HASH) {
    // [MQTT-4.7.1-2] (5.0: MQTT-4.7.1-1) "#" alone in its level and the last character.
    if (index !== levelStart || index !== text.length - 1) {
      return topicError(
        kind,
        "MQTT_ERR_TOPIC_INVALID_WILDCARD",
        "MQTT-4.7.1-2",
        '"#" must be alone in the last level',
      );
    }
  } else if (index !== levelStart || !(Number.isNaN(next) || next === SLASH)) {
    // [MQTT-4.7.1-3] (5.0: MQTT-4.7.1-2) "+" occupies an entire level.
    return topicError(
      kind,
      "MQTT_ERR_TOPIC_INVALID_WILDCARD",
      "MQTT-4.7.1-3",
      '"+" must occupy an entire level',
    );
  }
  return undefined;
}

function topicError(
  kind: TopicKind,
  code: TopicErrorCode,
  spec: string | undefined,
  problem: string,
): TopicError {
  return kind === "name"
    ? new TopicError(code, `Topic Name ${problem}`, spec, REASON_TOPIC_NAME_INVALID)
    : new TopicError(code, `Topic Filter ${problem}`, spec, REASON_TOPIC_FILTER_INVALID);
}
