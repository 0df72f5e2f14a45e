import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesFilter, SubscriptionTree } from "../src/index.js";

// The tree and matchesFilter against a naive reference: split on "/", compare level by level.
// Levels come from a small shared alphabet so that random filters and topics actually match.

function referenceMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  const first = filterLevels[0];
  if (topic.startsWith("$") && (first === "+" || first === "#")) return false;
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === "#") return true;
    if (index >= topicLevels.length) return false;
    if (level !== "+" && level !== topicLevels[index]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

const levelArb = fc.constantFrom("", "a", "b", "A", "$SYS", "$a", "\u00e9", "e\u0301", "\u{1f600}");
// Wider alphabet, so that some nodes get more than 8 literal children (Map instead of array).
const wideLevelArb = fc.oneof(levelArb, fc.constantFrom("c", "d", "f", "g", "h", "i", "j", "k"));
const wideFilterArb = fc
  .array(fc.oneof(wideLevelArb, fc.constant("+")), { minLength: 1, maxLength: 3 })
  .map((levels) => levels.join("/"))
  .filter((filter) => filter !== "");
const topicArb = fc
  .array(levelArb, { minLength: 1, maxLength: 5 })
  .map((levels) => levels.join("/"));
const filterArb = fc
  .tuple(
    fc.array(fc.oneof(levelArb, fc.constant("+")), { minLength: 0, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([levels, multi]) => (multi ? [...levels, "#"] : levels).join("/"))
  .filter((filter) => filter !== ""); // [MQTT-4.7.3-1]

type Operation =
  | { kind: "add"; filter: number; subscriber: number; qos: number }
  | { kind: "remove"; filter: number; subscriber: number }
  | { kind: "addShared"; filter: number; group: number; subscriber: number; qos: number }
  | { kind: "removeShared"; filter: number; group: number; subscriber: number };

/** Random operations over `subscribers` clients; `addWeight` > 1 makes lists grow long. */
function operationArb(subscribers: number, addWeight: number): fc.Arbitrary<Operation> {
  const subscriber = fc.nat({ max: subscribers - 1 });
  return fc.oneof(
    {
      weight: addWeight,
      arbitrary: fc.record({
        kind: fc.constant("add" as const),
        filter: fc.nat(),
        subscriber,
        qos: fc.nat({ max: 2 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("remove" as const), filter: fc.nat(), subscriber }),
    },
    {
      weight: addWeight,
      arbitrary: fc.record({
        kind: fc.constant("addShared" as const),
        filter: fc.nat(),
        group: fc.nat({ max: 1 }),
        subscriber,
        qos: fc.nat({ max: 2 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("removeShared" as const),
        filter: fc.nat(),
        group: fc.nat({ max: 1 }),
        subscriber,
      }),
    },
  );
}

interface Granted {
  qos: number;
}

/** What the tree should hold: "filter\0subscriber" -> qos, and shared "group\0filter" -> members. */
class Model {
  plain = new Map<string, { filter: string; subscriber: string; qos: number }>();
  shared = new Map<string, { group: string; filter: string; members: Map<string, number> }>();

  apply(tree: SubscriptionTree<Granted>, operation: Operation, filters: string[]): void {
    const filter = filters[operation.filter % filters.length] as string;
    const subscriber = `c${operation.subscriber}`;
    const plainKey = `${filter}\u0000${subscriber}`;
    switch (operation.kind) {
      case "add": {
        const isNew = !this.plain.has(plainKey);
        expect(tree.add(filter, subscriber, { qos: operation.qos })).toBe(isNew);
        this.plain.set(plainKey, { filter, subscriber, qos: operation.qos });
        break;
      }
      case "remove":
        expect(tree.remove(filter, subscriber)).toBe(this.plain.delete(plainKey));
        break;
      case "addShared": {
        const group = `g${operation.group}`;
        const key = `${group}\u0000${filter}`;
        const entry = this.shared.get(key) ?? { group, filter, members: new Map() };
        this.shared.set(key, entry);
        const isNew = !entry.members.has(subscriber);
        expect(
          tree.addShared(`$share/${group}/${filter}`, subscriber, { qos: operation.qos }),
        ).toBe(isNew);
        entry.members.set(subscriber, operation.qos);
        break;
      }
      case "removeShared": {
        const group = `g${operation.group}`;
        const key = `${group}\u0000${filter}`;
        const entry = this.shared.get(key);
        const removed = entry?.members.delete(subscriber) ?? false;
        if (entry !== undefined && entry.members.size === 0) this.shared.delete(key);
        expect(tree.removeShared(`$share/${group}/${filter}`, subscriber)).toBe(removed);
        break;
      }
    }
  }

  expectedNodeCount(): number {
    const prefixes = new Set<string>();
    const filters = [
      ...[...this.plain.values()].map((entry) => entry.filter),
      ...[...this.shared.values()].map((entry) => entry.filter),
    ];
    for (const filter of filters) {
      const levels = filter.split("/");
      if (levels[levels.length - 1] === "#") levels.pop();
      for (let length = 1; length <= levels.length; length++) {
        prefixes.add(`${length}:${levels.slice(0, length).join("/")}`);
      }
    }
    return prefixes.size;
  }

  expectMatches(tree: SubscriptionTree<Granted>, topic: string): void {
    // forEachMatch: every (subscriber, filter) exactly once.
    const expected = [...this.plain.values()]
      .filter((entry) => referenceMatches(entry.filter, topic))
      .map((entry) => `${entry.subscriber} ${entry.qos} ${entry.filter}`)
      .sort();
    const actual: string[] = [];
    tree.forEachMatch(topic, (subscriber, value, filter) => {
      actual.push(`${subscriber} ${value.qos} ${filter}`);
    });
    expect(actual.sort()).toEqual(expected);

    // forEachSubscriber: each subscriber once, at its maximum QoS, with a filter of that QoS.
    const best = new Map<string, number>();
    for (const entry of this.plain.values()) {
      if (!referenceMatches(entry.filter, topic)) continue;
      best.set(entry.subscriber, Math.max(best.get(entry.subscriber) ?? -1, entry.qos));
    }
    const perSubscriber: string[] = [];
    tree.forEachSubscriber(
      topic,
      (value) => value.qos,
      (subscriber, value, filter) => {
        expect(this.plain.get(`${filter}\u0000${subscriber}`)?.qos).toBe(value.qos);
        perSubscriber.push(`${subscriber} ${value.qos}`);
      },
    );
    expect(perSubscriber.sort()).toEqual(
      [...best].map(([subscriber, qos]) => `${subscriber} ${qos}`).sort(),
    );

    // forEachSharedGroup: each matching group once, with exactly its members.
    const expectedGroups = [...this.shared.values()]
      .filter((entry) => referenceMatches(entry.filter, topic))
      .map(
        (entry) => `${entry.group} ${entry.filter} ${[...entry.members.keys()].sort().join(",")}`,
      )
      .sort();
    const actualGroups: string[] = [];
    tree.forEachSharedGroup(topic, (group) => {
      const members: string[] = [];
      for (let index = 0; index < group.size; index++) {
        const subscriber = group.subscriberIdAt(index);
        expect(group.valueAt(index).qos).toBe(
          this.shared.get(`${group.shareName}\u0000${group.topicFilter}`)?.members.get(subscriber),
        );
        members.push(subscriber);
      }
      actualGroups.push(`${group.shareName} ${group.topicFilter} ${members.sort().join(",")}`);
    });
    expect(actualGroups.sort()).toEqual(expectedGroups);
  }
}

describe("SubscriptionTree against the reference matcher", () => {
  it("matchesFilter agrees with the reference on random filter/topic pairs", () => {
    fc.assert(
      fc.property(filterArb, topicArb, (filter, topic) => {
        expect(matchesFilter(filter, topic)).toBe(referenceMatches(filter, topic));
      }),
      { numRuns: 5000 },
    );
  });

  function checkScenario(filters: string[], operations: Operation[], topics: string[]): void {
    const tree = new SubscriptionTree<Granted>();
    const model = new Model();
    for (const operation of operations) model.apply(tree, operation, filters);
    expect(tree.subscriptionCount).toBe(model.plain.size);
    expect(tree.sharedSubscriptionCount).toBe(
      [...model.shared.values()].reduce((sum, entry) => sum + entry.members.size, 0),
    );
    expect(tree.nodeCount).toBe(model.expectedNodeCount());
    for (const topic of topics) model.expectMatches(tree, topic);

    // Remove everything, in a different order than added: the tree is empty again.
    for (const entry of [...model.plain.values()].reverse()) {
      expect(tree.remove(entry.filter, entry.subscriber)).toBe(true);
    }
    for (const entry of model.shared.values()) {
      for (const subscriber of entry.members.keys()) {
        expect(tree.removeShared(`$share/${entry.group}/${entry.filter}`, subscriber)).toBe(true);
      }
    }
    expect(tree.nodeCount).toBe(0);
    expect(tree.subscriptionCount).toBe(0);
    expect(tree.sharedSubscriptionCount).toBe(0);
    for (const topic of topics) expect(tree.match(topic)).toEqual([]);
  }

  it("match results, max-QoS results, shared groups and counts follow random add/remove sequences", () => {
    fc.assert(
      fc.property(
        fc.array(filterArb, { minLength: 1, maxLength: 10 }),
        fc.array(operationArb(4, 1), { maxLength: 60, size: "max" }),
        fc.array(topicArb, { minLength: 1, maxLength: 8 }),
        checkScenario,
      ),
      { numRuns: 400 },
    );
  });

  it("the same holds for long subscriber lists (many clients on few filters)", () => {
    fc.assert(
      fc.property(
        fc.array(filterArb, { minLength: 1, maxLength: 2 }),
        fc.array(operationArb(24, 2), { minLength: 50, maxLength: 200 }),
        fc.array(topicArb, { minLength: 1, maxLength: 4 }),
        checkScenario,
      ),
      { numRuns: 100 },
    );
  });

  it("the same holds for wide trees (nodes with many children)", () => {
    fc.assert(
      fc.property(
        fc.array(wideFilterArb, { minLength: 20, maxLength: 40 }),
        fc.array(operationArb(3, 3), { minLength: 40, maxLength: 120 }),
        fc.array(
          fc.array(wideLevelArb, { minLength: 1, maxLength: 3 }).map((levels) => levels.join("/")),
          { minLength: 1, maxLength: 8 },
        ),
        checkScenario,
      ),
      { numRuns: 100 },
    );
  });
});
