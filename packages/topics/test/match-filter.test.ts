import { describe, expect, it } from "vitest";
import { matchesFilter } from "../src/index.js";

// Each row: filter, topic, expected. Spec-named rows live in spec-examples.test.ts; these pin
// down the scanner's edge cases.
const cases: ReadonlyArray<readonly [string, string, boolean]> = [
  ["a/b", "a/b", true],
  ["a/b", "a/bc", false],
  ["a/bc", "a/b", false],
  ["a/b", "a", false],
  ["a", "a/b", false],
  ["a/", "a/", true],
  ["a/", "a", false],
  ["a/+", "a/", true],
  ["a/+", "a", false],
  ["a/+/c", "a//c", true],
  ["a/#", "a", true],
  ["a/#", "a/", true],
  ["a/#", "a/b/c", true],
  ["a/#", "ab", false],
  ["#", "a/b", true],
  ["#", "/", true],
  ["+/+", "/", true],
  ["+", "", true],
  ["/", "/", true],
  ["A/b", "a/b", false],
  ["$SYS/#", "$SYS", true],
  ["$SYS/+", "$SYS/x", true],
  ["+/x", "$SYS/x", false],
  ["#", "$SYS/x", false],
  ["#", "$", false],
  ["a/+b", "a/+b", true],
  ["a/+b", "a/xb", false],
  ["\u00e9", "e\u0301", false],
];

describe("matchesFilter", () => {
  it.each(cases)("%j matches %j: %s", (filter, topic, expected) => {
    expect(matchesFilter(filter, topic)).toBe(expected);
  });

  it("scans a 100,000-level topic without recursion", () => {
    const topic = "a/".repeat(100_000).slice(0, -1);
    expect(matchesFilter("a/#", topic)).toBe(true);
    expect(matchesFilter("+/+", topic)).toBe(false);
    expect(matchesFilter(topic, topic)).toBe(true);
  });
});
