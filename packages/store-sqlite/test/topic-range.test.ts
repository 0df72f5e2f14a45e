import { matchesFilter } from "@ternmq/topics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topicRangeOf } from "../src/topic-range.js";

/** Compares like SQLite's BINARY collation: by UTF-8 bytes. */
function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}

function inRange(filter: string, topic: string): boolean {
  const range = topicRangeOf(filter);
  if (range.kind === "all") return true;
  if (range.kind === "exact") return topic === range.topic;
  return compareBytes(topic, range.from) >= 0 && compareBytes(topic, range.to) < 0;
}

describe("topicRangeOf", () => {
  it("gives the literal prefix before the first wildcard as a key range", () => {
    expect(topicRangeOf("sport/tennis/+")).toStrictEqual({
      kind: "range",
      from: "sport/tennis/",
      to: "sport/tennis0",
    });
    expect(topicRangeOf("a/+/c/#")).toStrictEqual({ kind: "range", from: "a/", to: "a0" });
    expect(topicRangeOf("+/x")).toStrictEqual({ kind: "all" });
    expect(topicRangeOf("#")).toStrictEqual({ kind: "all" });
    expect(topicRangeOf("a/b")).toStrictEqual({ kind: "exact", topic: "a/b" });
  });

  it("[MQTT-4.7.1-2] the range of sport/# starts at sport itself", () => {
    expect(topicRangeOf("sport/#")).toStrictEqual({ kind: "range", from: "sport", to: "sport0" });
    expect(inRange("sport/#", "sport")).toBe(true);
  });

  it("never leaves out a matching topic (property, unicode and empty levels included)", () => {
    const level = fc.constantFrom("", "a", "b", "é", "😀", "a0", "$x", "a.", "ab");
    const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join("/"));
    const filterLevel = fc.oneof(level, fc.constant("+"));
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, "#"] : levels).join("/"));
    fc.assert(
      fc.property(filter, topic, (anyFilter, anyTopic) => {
        if (matchesFilter(anyFilter, anyTopic)) expect(inRange(anyFilter, anyTopic)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
