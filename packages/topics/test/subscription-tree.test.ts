import { describe, expect, it } from "vitest";
import { type SharedGroup, SubscriptionTree, TopicError } from "../src/index.js";

interface Granted {
  qos: number;
}
const qosOf = (value: Granted) => value.qos;

function matchedPairs<T>(tree: SubscriptionTree<T>, topic: string): string[] {
  return tree
    .match(topic)
    .map((match) => `${match.subscriberId} ${match.filter}`)
    .sort();
}

describe("SubscriptionTree add/remove", () => {
  it("[MQTT-3.8.4-3] a second add for the same filter and subscriber replaces the value", () => {
    const tree = new SubscriptionTree<Granted>();
    expect(tree.add("a/b", "c1", { qos: 0 })).toBe(true);
    expect(tree.add("a/b", "c1", { qos: 2 })).toBe(false);
    expect(tree.subscriptionCount).toBe(1);
    expect(tree.get("a/b", "c1")).toEqual({ qos: 2 });
    expect(tree.match("a/b")).toEqual([{ subscriberId: "c1", value: { qos: 2 }, filter: "a/b" }]);
  });

  it("remove returns whether something was removed and frees empty nodes", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("a/b/c", "c1", 0);
    tree.add("a/+/#", "c1", 0);
    tree.add("a/b", "c2", 0);
    expect(tree.nodeCount).toBe(4); // a, a/b, a/b/c, a/+
    expect(tree.remove("a/b/c", "c2")).toBe(false);
    expect(tree.remove("a/b/x", "c1")).toBe(false);
    expect(tree.remove("a/b/c", "c1")).toBe(true);
    expect(tree.remove("a/b/c", "c1")).toBe(false);
    expect(tree.nodeCount).toBe(3);
    expect(tree.remove("a/+/#", "c1")).toBe(true);
    expect(tree.nodeCount).toBe(2);
    expect(tree.remove("a/b", "c2")).toBe(true);
    expect(tree.nodeCount).toBe(0);
    expect(tree.subscriptionCount).toBe(0);
    expect(tree.match("a/b")).toEqual([]);
  });

  it("keeps a node while its # list or children still hold subscriptions", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("a/#", "c1", 0);
    tree.add("a", "c1", 0);
    tree.remove("a", "c1");
    expect(tree.nodeCount).toBe(1);
    expect(matchedPairs(tree, "a")).toEqual(["c1 a/#"]);
  });

  it("rejects invalid filters with TopicError and never throws from remove", () => {
    const tree = new SubscriptionTree<number>({ maxLevels: 3 });
    expect(() => tree.add("a/#/b", "c1", 0)).toThrowError(TopicError);
    expect(() => tree.add("a/b/c/d", "c1", 0)).toThrowError(
      expect.objectContaining({ code: "MQTT_ERR_TOPIC_TOO_MANY_LEVELS" }),
    );
    expect(tree.remove("a/#/b", "c1")).toBe(false);
    expect(tree.remove("", "c1")).toBe(false);
    expect(tree.nodeCount).toBe(0);
  });

  it("indexes long subscriber lists and keeps them consistent through removals", () => {
    const tree = new SubscriptionTree<number>();
    for (let client = 0; client < 100; client++) tree.add("hot/topic", `c${client}`, client);
    for (let client = 0; client < 100; client += 2) tree.remove("hot/topic", `c${client}`);
    expect(tree.add("hot/topic", "c1", 1000)).toBe(false);
    const seen = tree.match("hot/topic").map((match) => match.subscriberId);
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
    expect(tree.get("hot/topic", "c1")).toBe(1000);
    expect(tree.get("hot/topic", "c2")).toBeUndefined();
    for (let client = 1; client < 100; client += 2) {
      expect(tree.remove("hot/topic", `c${client}`)).toBe(true);
    }
    expect(tree.subscriptionCount).toBe(0);
    expect(tree.nodeCount).toBe(0);
  });

  it("moves a node's children from an array to a Map and back as they grow and shrink", () => {
    const tree = new SubscriptionTree<number>();
    const names = Array.from({ length: 40 }, (_, index) => `n${index}`);
    for (const name of names) tree.add(`root/${name}/leaf`, "c1", 0);
    tree.add("root/+/leaf", "c2", 0);
    expect(tree.nodeCount).toBe(1 + 40 * 2 + 2);
    for (const name of names) expect(matchedPairs(tree, `root/${name}/leaf`)).toHaveLength(2);
    expect(matchedPairs(tree, "root/n4/leaf")).toEqual(["c1 root/n4/leaf", "c2 root/+/leaf"]);
    expect(matchedPairs(tree, "root/n400/leaf")).toEqual(["c2 root/+/leaf"]);
    for (const name of names.slice(3)) expect(tree.remove(`root/${name}/leaf`, "c1")).toBe(true);
    for (const name of names.slice(0, 3)) {
      expect(matchedPairs(tree, `root/${name}/leaf`)).toEqual([
        `c1 root/${name}/leaf`,
        "c2 root/+/leaf",
      ]);
    }
    expect(matchedPairs(tree, "root/n39/leaf")).toEqual(["c2 root/+/leaf"]);
    for (const name of names.slice(0, 3)) tree.remove(`root/${name}/leaf`, "c1");
    tree.remove("root/+/leaf", "c2");
    expect(tree.nodeCount).toBe(0);
  });

  it("clear removes everything", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("a/b", "c1", 0);
    tree.addShared("$share/g/a/b", "c1", 0);
    tree.clear();
    expect([tree.nodeCount, tree.subscriptionCount, tree.sharedSubscriptionCount]).toEqual([
      0, 0, 0,
    ]);
    expect(tree.match("a/b")).toEqual([]);
  });
});

describe("SubscriptionTree matching", () => {
  it("reports every overlapping subscription of a subscriber with forEachMatch", () => {
    const tree = new SubscriptionTree<Granted>();
    tree.add("a/b", "c1", { qos: 0 });
    tree.add("a/+", "c1", { qos: 2 });
    tree.add("#", "c1", { qos: 1 });
    tree.add("a/#", "c2", { qos: 1 });
    expect(matchedPairs(tree, "a/b")).toEqual(["c1 #", "c1 a/+", "c1 a/b", "c2 a/#"]);
  });

  it("reports each subscriber once at its maximum QoS with forEachSubscriber", () => {
    const tree = new SubscriptionTree<Granted>();
    tree.add("a/b", "c1", { qos: 0 });
    tree.add("a/+", "c1", { qos: 2 });
    tree.add("#", "c1", { qos: 1 });
    tree.add("a/#", "c2", { qos: 1 });
    const results: string[] = [];
    tree.forEachSubscriber("a/b", qosOf, (subscriberId, value, filter) => {
      results.push(`${subscriberId} ${value.qos} ${filter}`);
    });
    expect(results.sort()).toEqual(["c1 2 a/+", "c2 1 a/#"]);
    // The scratch state is reset between calls.
    results.length = 0;
    tree.forEachSubscriber("x", qosOf, (subscriberId) => results.push(subscriberId));
    expect(results).toEqual(["c1"]);
  });

  it("reports each of many subscribers once at its maximum QoS", () => {
    const tree = new SubscriptionTree<Granted>();
    const clients = Array.from({ length: 40 }, (_, index) => `c${index}`);
    clients.forEach((client, index) => {
      tree.add("a/+", client, { qos: index % 3 });
      tree.add("a/#", client, { qos: (index + 1) % 3 });
      tree.add("a/b", client, { qos: (index + 2) % 3 });
    });
    const results = new Map<string, number>();
    tree.forEachSubscriber("a/b", qosOf, (subscriberId, value) => {
      expect(results.has(subscriberId)).toBe(false);
      results.set(subscriberId, value.qos);
    });
    expect(results.size).toBe(40);
    for (const qos of results.values()) expect(qos).toBe(2);
  });

  it("reports every subscriber of the only matching filter once, with its value", () => {
    const tree = new SubscriptionTree<Granted>();
    const clients = Array.from({ length: 40 }, (_, index) => `c${index}`);
    clients.forEach((client, index) => {
      tree.add("a/b", client, { qos: index % 3 });
    });
    tree.add("a/b", "c0", { qos: 2 }); // a repeated SUBSCRIBE replaces, it does not add
    const results = new Map<string, number>();
    tree.forEachSubscriber("a/b", qosOf, (subscriberId, value, filter) => {
      expect(results.has(subscriberId)).toBe(false);
      expect(filter).toBe("a/b");
      results.set(subscriberId, value.qos);
    });
    expect(results.size).toBe(40);
    expect(results.get("c0")).toBe(2);
    expect(results.get("c4")).toBe(1);
  });

  it("passes the context argument to the callback", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("a", "c1", 7);
    const sink: number[] = [];
    tree.forEachMatch("a", (_id, value, _filter, context) => context.push(value), sink);
    expect(sink).toEqual([7]);
  });

  it("supports a match run from inside a match callback", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("a", "c1", 1);
    tree.add("b", "c2", 2);
    tree.add("+", "c3", 3);
    const inner: string[] = [];
    const outer: string[] = [];
    tree.forEachMatch("a", (subscriberId) => {
      outer.push(subscriberId);
      tree.forEachMatch("b", (innerId) => inner.push(innerId));
    });
    expect(outer.sort()).toEqual(["c1", "c3"]);
    expect(inner.sort()).toEqual(["c2", "c2", "c3", "c3"]);
  });

  it("matches a 100,000-level topic against 60,000-level filters without overflowing the stack", () => {
    // The deepest valid filters: 65,535 bytes allow at most 65,536 levels (all empty).
    const tree = new SubscriptionTree<number>({ maxLevels: 100_000 });
    const deepTopic = "/".repeat(99_999); // 100,000 empty levels
    const deepExact = "/".repeat(59_999); // 60,000 empty levels
    const deepMulti = `${deepExact}/#`;
    const deepPlus = `${"+/".repeat(30_000)}#`;
    tree.add("#", "c1", 0);
    tree.add(deepMulti, "c2", 0);
    tree.add(deepPlus, "c3", 0);
    tree.add(deepExact, "c4", 0);
    expect(
      tree
        .match(deepTopic)
        .map((match) => match.subscriberId)
        .sort(),
    ).toEqual(["c1", "c2", "c3"]);
    expect(
      tree
        .match(deepExact)
        .map((match) => match.subscriberId)
        .sort(),
    ).toEqual(["c1", "c2", "c3", "c4"]);
    for (const [filter, client] of [
      ["#", "c1"],
      [deepMulti, "c2"],
      [deepPlus, "c3"],
      [deepExact, "c4"],
    ] as const) {
      expect(tree.remove(filter, client)).toBe(true);
    }
    expect(tree.nodeCount).toBe(0);
  });
});

describe("SubscriptionTree shared subscriptions", () => {
  function groupsOf(tree: SubscriptionTree<number>, topic: string): Array<SharedGroup<number>> {
    const groups: Array<SharedGroup<number>> = [];
    tree.forEachSharedGroup(topic, (group) => groups.push(group));
    return groups;
  }

  it("yields each matching group once with its members, apart from non-shared matches", () => {
    const tree = new SubscriptionTree<number>();
    expect(tree.addShared("$share/g1/a/+", "c1", 1)).toBe(true);
    expect(tree.addShared("$share/g1/a/+", "c2", 2)).toBe(true);
    expect(tree.addShared("$share/g1/a/+", "c2", 0)).toBe(false);
    tree.addShared("$share/g2/#", "c3", 1);
    tree.add("a/+", "c4", 1);
    expect(tree.sharedSubscriptionCount).toBe(3);
    expect(tree.subscriptionCount).toBe(1);
    const groups = groupsOf(tree, "a/b");
    expect(groups.map((group) => group.filter).sort()).toEqual(["$share/g1/a/+", "$share/g2/#"]);
    const g1 = groups.find((group) => group.shareName === "g1");
    expect(g1?.topicFilter).toBe("a/+");
    expect(g1?.size).toBe(2);
    expect(matchedPairs(tree, "a/b")).toEqual(["c4 a/+"]);
    expect(groupsOf(tree, "$SYS/x")).toEqual([]);
  });

  it("nextIndex round-robins over the members", () => {
    const tree = new SubscriptionTree<number>();
    for (const client of ["c1", "c2", "c3"]) tree.addShared("$share/g/t", client, 0);
    const picks: string[] = [];
    for (let message = 0; message < 6; message++) {
      for (const group of groupsOf(tree, "t")) picks.push(group.subscriberIdAt(group.nextIndex()));
    }
    expect(picks.slice(0, 3).sort()).toEqual(["c1", "c2", "c3"]);
    expect(picks.slice(3)).toEqual(picks.slice(0, 3));
    tree.removeShared("$share/g/t", "c2");
    const [group] = groupsOf(tree, "t");
    expect(group?.size).toBe(2);
    expect(group === undefined ? [] : [group.nextIndex(), group.nextIndex()].sort()).toEqual([
      0, 1,
    ]);
    expect([group?.valueAt(0), group?.valueAt(1)]).toEqual([0, 0]);
  });

  it("removeShared frees the group and its nodes; invalid filters are not found", () => {
    const tree = new SubscriptionTree<number>();
    tree.addShared("$share/g/a/b", "c1", 0);
    expect(() => tree.addShared("$share//a", "c1", 0)).toThrowError(
      expect.objectContaining({ code: "MQTT_ERR_SHARED_SUBSCRIPTION_INVALID" }),
    );
    expect(tree.removeShared("$share//a", "c1")).toBe(false);
    expect(tree.removeShared("$share/h/a/b", "c1")).toBe(false);
    expect(tree.removeShared("$share/g/a/c", "c1")).toBe(false);
    expect(tree.removeShared("$share/g/a/b", "c1")).toBe(true);
    expect(tree.removeShared("$share/g/a/b", "c1")).toBe(false);
    expect(tree.nodeCount).toBe(0);
    expect(tree.sharedSubscriptionCount).toBe(0);
  });

  it("takes a plain $share/... filter literally in add (the 3.1.1 meaning)", () => {
    const tree = new SubscriptionTree<number>();
    tree.add("$share/g/a", "c1", 0);
    expect(matchedPairs(tree, "$share/g/a")).toEqual(["c1 $share/g/a"]);
    expect(matchedPairs(tree, "a")).toEqual([]);
  });
});
