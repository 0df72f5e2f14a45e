/**
 * The key range of the `retained` table that can hold matches of a topic filter.
 *
 * Design: topics are compared as UTF-8 bytes (SQLite's BINARY collation), so every topic
 * that starts with the bytes of "a/b/" lies in ["a/b/", "a/b0"): "0" is the byte after "/".
 * A filter's literal levels before its first wildcard give that prefix; "a/b/#" also
 * matches "a/b" itself [MQTT-4.7.1-2], which starts the range. A range only narrows the
 * scan: every candidate is still confirmed with `matchesFilter`, which keeps the rules
 * (`$` topics [MQTT-4.7.2-1], empty levels) in one place.
 */

export type TopicRange =
  /** A filter without wildcards matches only the topic of the same name. */
  | { readonly kind: "exact"; readonly topic: string }
  /** Candidates are the topics in [from, to). */
  | { readonly kind: "range"; readonly from: string; readonly to: string }
  /** A filter starting with a wildcard: every topic is a candidate. */
  | { readonly kind: "all" };

export function topicRangeOf(filter: string): TopicRange {
  const levels = filter.split("/");
  const firstWildcard = levels.findIndex((level) => level === "+" || level === "#");
  if (firstWildcard === -1) return { kind: "exact", topic: filter };
  if (firstWildcard === 0) return { kind: "all" };
  const parent = levels.slice(0, firstWildcard).join("/");
  const prefix = `${parent}/`;
  return {
    kind: "range",
    from: levels[firstWildcard] === "#" ? parent : prefix,
    to: `${parent}0`,
  };
}
