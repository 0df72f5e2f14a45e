const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

/**
 * Whether `topic` (a Topic Name) matches `filter` (a Topic Filter), by the rules of MQTT 3.1.1
 * and 5.0 section 4.7.
 *
 * Parameters:
 * - `filter`: a valid, non-shared Topic Filter (see `validateTopicFilter`; strip `$share/{group}/`
 *   with `parseSharedSubscription` first). A `+` or `#` that is not alone in its level is
 *   compared as an ordinary character, so an invalid filter never throws.
 * - `topic`: a Topic Name (no wildcards). Levels are compared code unit by code unit, which is
 *   byte-exact for well-formed strings: case sensitive, no Unicode normalisation.
 *
 * Returns: true when the filter matches the topic.
 *
 * Design: one forward scan of both strings, no `split` and no allocation, so it costs
 * O(filter.length + topic.length) and is safe for any depth.
 *
 * See also: `SubscriptionTree` to match one topic against many filters.
 */
export function matchesFilter(filter: string, topic: string): boolean {
  const filterLength = filter.length;
  const topicLength = topic.length;
  // [MQTT-4.7.2-1] A filter starting with a wildcard does not match a topic starting with "$".
  if (
    topicLength > 0 &&
    topic.charCodeAt(0) === DOLLAR &&
    filterLength > 0 &&
    isWildcardLevel(filter, 0, filterLength)
  ) {
    return false;
  }
  let filterIndex = 0;
  let topicIndex = 0;
  // Each iteration starts at the first character of a level in both strings.
  for (;;) {
    const code = filter.charCodeAt(filterIndex);
    if (code === HASH && isLevelEnd(filter, filterIndex + 1, filterLength)) {
      // [MQTT-4.7.1-2] "#" matches this level and every level below it.
      return true;
    }
    if (code === PLUS && isLevelEnd(filter, filterIndex + 1, filterLength)) {
      // [MQTT-4.7.1-3] "+" matches exactly one level, which may be empty.
      filterIndex++;
      while (topicIndex < topicLength && topic.charCodeAt(topicIndex) !== SLASH) topicIndex++;
    } else {
      while (filterIndex < filterLength) {
        const filterCode = filter.charCodeAt(filterIndex);
        if (filterCode === SLASH) break;
        if (topicIndex >= topicLength || topic.charCodeAt(topicIndex) !== filterCode) return false;
        filterIndex++;
        topicIndex++;
      }
      if (topicIndex < topicLength && topic.charCodeAt(topicIndex) !== SLASH) return false;
    }
    // Both indexes now sit on a "/" or at the end of their string.
    if (filterIndex >= filterLength) return topicIndex >= topicLength;
    if (topicIndex >= topicLength) {
      // "sport/#" also matches "sport": the filter may only have "/#" left.
      return filterIndex + 2 === filterLength && filter.charCodeAt(filterIndex + 1) === HASH;
    }
    filterIndex++;
    topicIndex++;
  }
}

/** True when `index` is the end of a level (end of string or a "/"). */
function isLevelEnd(text: string, index: number, length: number): boolean {
  return index >= length || text.charCodeAt(index) === SLASH;
}

/** True when the level starting at `start` is exactly "+" or "#". */
function isWildcardLevel(filter: string, start: number, length: number): boolean {
  const code = filter.charCodeAt(start);
  return (code === PLUS || code === HASH) && isLevelEnd(filter, start + 1, length);
}
