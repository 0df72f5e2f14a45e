import { describe, expect, it } from "vitest";
import { RouteCache } from "../../src/cluster/route-cache.js";

function matchingNodes(cache: RouteCache, topic: string): string[] {
  return cache.nodeRoutes
    .match(topic)
    .map((entry) => entry.subscriberId)
    .sort();
}

const noSync = (): void => {};

describe("RouteCache", () => {
  it("answers a barrier only once the route events before it are applied, also after a load", () => {
    const seen: string[] = [];
    const cache = new RouteCache(
      () => {},
      (origin, id) =>
        seen.push(`sync ${origin} ${id} with ${matchingNodes(cache, "a/b").join(",")}`),
    );
    cache.beginLoad();
    cache.apply({ t: "n", n: "n2", f: "a/#", a: 1 });
    cache.apply({ t: "sync", n: "n2", id: 7 });
    expect(seen).toEqual([]); // buffered with the route event before it
    cache.finishLoad({ nodeRoutes: new Map(), persistentRoutes: new Map() });
    expect(seen).toEqual(["sync n2 7 with n2"]);
  });

  it("buffers events during a load and applies them after the tables read", () => {
    const invalid: string[] = [];
    const cache = new RouteCache((filter) => invalid.push(filter), noSync);
    cache.beginLoad();
    // Published while the tables were being read: some already in the read, some not.
    cache.apply({ t: "n", n: "b", f: "x/#", a: 1 });
    cache.apply({ t: "n", n: "b", f: "gone/#", a: 0 });
    cache.apply({ t: "p", c: "p1", s: [["q/+", 2]] });
    expect(cache.currentState).toBe("loading");
    expect(matchingNodes(cache, "x/1")).toEqual([]);
    cache.finishLoad({
      nodeRoutes: new Map([
        ["b", ["gone/#"]],
        ["c", ["x/+", "bad/#/x"]],
      ]),
      persistentRoutes: new Map([["p1", [["old/t", 1]]]]),
    });
    expect(cache.currentState).toBe("live");
    expect(matchingNodes(cache, "x/1")).toEqual(["b", "c"]);
    expect(matchingNodes(cache, "gone/1")).toEqual([]);
    expect(cache.clientSubscriptions("p1")).toEqual([["q/+", 2]]);
    expect(cache.persistentRoutes.match("old/t")).toEqual([]);
    expect(invalid).toEqual(["bad/#/x"]);
  });

  it("drops every route of a node that is gone, and nothing of the others", () => {
    const cache = new RouteCache(() => {}, noSync);
    cache.apply({ t: "n", n: "b", f: "a/#", a: 1 });
    cache.apply({ t: "n", n: "b", f: "c/d", a: 1 });
    cache.apply({ t: "n", n: "c", f: "a/#", a: 1 });
    cache.apply({ t: "gone", n: "b" });
    expect(matchingNodes(cache, "a/x")).toEqual(["c"]);
    expect(matchingNodes(cache, "c/d")).toEqual([]);
    expect([...cache.nodeFilters("b")]).toEqual([]);
    expect(cache.nodeRoutes.nodeCount).toBe(1);
  });

  it("replaces a client's whole subscription list on each event", () => {
    const cache = new RouteCache(() => {}, noSync);
    cache.apply({
      t: "p",
      c: "p1",
      s: [
        ["a", 1],
        ["b/#", 2],
      ],
    });
    cache.apply({ t: "p", c: "p1", s: [["b/#", 0]] });
    expect(cache.persistentRoutes.match("a")).toEqual([]);
    expect(cache.persistentRoutes.match("b/x")).toEqual([
      { subscriberId: "p1", value: 0, filter: "b/#" },
    ]);
    cache.apply({ t: "p", c: "p1", s: [] });
    expect(cache.persistentRoutes.subscriptionCount).toBe(0);
    expect(cache.clientSubscriptions("p1")).toEqual([]);
  });

  it("after a failed load, applies the buffered events to the tables it had", () => {
    const cache = new RouteCache(() => {}, noSync);
    cache.apply({ t: "n", n: "b", f: "kept", a: 1 });
    cache.beginLoad();
    cache.apply({ t: "n", n: "c", f: "new", a: 1 });
    cache.abortLoad();
    expect(matchingNodes(cache, "kept")).toEqual(["b"]);
    expect(matchingNodes(cache, "new")).toEqual(["c"]);
  });
});
