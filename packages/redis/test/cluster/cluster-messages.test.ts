import { describe, expect, it } from "vitest";
import {
  formatControlMessage,
  parseControlMessage,
  parseRouteEvent,
} from "../../src/cluster/cluster-messages.js";

describe("cluster messages", () => {
  it("parses the route events of the contract", () => {
    expect(parseRouteEvent('{"t":"p","c":"x","s":[["a/#",1]]}')).toEqual({
      t: "p",
      c: "x",
      s: [["a/#", 1]],
    });
    expect(parseRouteEvent('{"t":"p","c":"x","s":[]}')).toEqual({ t: "p", c: "x", s: [] });
    expect(parseRouteEvent('{"t":"n","n":"b","f":"a","a":0}')).toEqual({
      t: "n",
      n: "b",
      f: "a",
      a: 0,
    });
    expect(parseRouteEvent('{"t":"gone","n":"b"}')).toEqual({ t: "gone", n: "b" });
  });

  it("ignores what does not have the documented shape", () => {
    for (const text of [
      "",
      "not json",
      "[]",
      "null",
      '{"t":"p","c":"x","s":[["a",3]]}',
      '{"t":"p","c":"x"}',
      '{"t":"n","n":"b","f":"a","a":2}',
      '{"t":"gone"}',
      '{"t":"other","n":"b"}',
    ]) {
      expect(parseRouteEvent(text)).toBeUndefined();
    }
    expect(parseControlMessage('{"t":"takeover","c":"x","id":1}')).toBeUndefined();
    expect(parseControlMessage('{"t":"released","c":"x"}')).toBeUndefined();
    expect(parseControlMessage('{"t":"inbox"}')).toBeUndefined();
  });

  it("round-trips control messages", () => {
    for (const control of [
      { t: "inbox", c: "x" },
      { t: "takeover", c: "x", from: "a", id: 7 },
      { t: "released", c: "x", id: 7 },
    ] as const) {
      expect(parseControlMessage(formatControlMessage(control))).toEqual(control);
    }
  });
});
