/**
 * The conformance suite every `RetainedStore` must pass (memory, durable, Redis).
 *
 * Design: like the session suite, a fresh store per test from the caller's factory. The
 * matching tests compare `match` with `matchesFilter` from `@ternmq/topics` applied to every
 * stored topic, over a fixed table of topics and filters chosen for the rules that other
 * brokers got wrong: `$` topics and leading wildcards, `#` matching its parent level, empty
 * levels, a leading or trailing "/", and case and Unicode normalisation.
 */
import { matchesFilter } from "@ternmq/topics";
import type { RetainedMessage, RetainedStore } from "../store/retained-store.js";
import {
  everyByteValue,
  fullPublishProperties,
  fullRetained,
  numberedPayload,
  retained,
  UNICODE_TOPIC,
} from "./fixtures.js";
import {
  type ConformanceOptions,
  type ConformanceTestApi,
  collect,
  comparable,
  expectRejection,
} from "./test-api.js";

/** Creates an empty, open store for one test. */
export type RetainedStoreFactory = () => RetainedStore | Promise<RetainedStore>;

/** Topics stored for the matching tests. */
const MATCH_TOPICS = [
  "sport",
  "sport/",
  "sport/tennis",
  "sport/tennis/player1",
  "sport/tennis/player1/ranking",
  "sport/tennis/player2",
  "sport/football/player1",
  "Sport/tennis",
  "/sport",
  "/",
  "a//b",
  "a/b",
  "finance",
  "$SYS/broker/clients",
  "$SYS",
  "$share-like/x",
  "caf\u00e9/x",
  "cafe\u0301/x",
  UNICODE_TOPIC,
] as const;

/** Filters checked against `MATCH_TOPICS`. */
const MATCH_FILTERS = [
  "#",
  "+",
  "+/+",
  "/#",
  "+/#",
  "sport/#",
  "sport/+",
  "sport/tennis/+",
  "sport/+/player1",
  "+/tennis/#",
  "sport/tennis/player1/#",
  "a/+/b",
  "a/+",
  "$SYS/#",
  "$SYS/+/clients",
  "+/broker/clients",
  "caf\u00e9/+",
  "capteurs/+/+//#",
  "no/such/topic",
] as const;

/**
 * Registers the `RetainedStore` conformance tests in a `describe` block named after `name`.
 *
 * Parameters:
 * - `name`: the store under test, e.g. "MemoryRetainedStore".
 * - `createStore`: returns a new, empty store; called before each test and closed after it.
 * - `api`: the runner's `describe`, `it`, `beforeEach`, `afterEach` and `expect`.
 * - `options.reopen`: opens the same data again after the suite closed `store`; adds the
 *   tests that writes survive a reopen.
 *
 * See also: `describeSessionStoreConformance`.
 */
export function describeRetainedStoreConformance(
  name: string,
  createStore: RetainedStoreFactory,
  api: ConformanceTestApi,
  options: ConformanceOptions<RetainedStore> = {},
): void {
  const { describe, it, beforeEach, afterEach, expect } = api;
  const expectSame = (actual: unknown, expected: unknown) =>
    expect(comparable(actual)).toStrictEqual(comparable(expected));
  const byTopic = (left: RetainedMessage, right: RetainedMessage) =>
    left.topic < right.topic ? -1 : left.topic > right.topic ? 1 : 0;
  const matchedTopics = async (store: RetainedStore, filter: string) =>
    (await collect(store.match(filter))).map((stored) => stored.topic).sort();

  describe(`RetainedStore conformance: ${name}`, () => {
    let store: RetainedStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe("set, get, delete", () => {
      it("an empty store has no message for any topic and a count of 0", async () => {
        expect(await store.get("sport")).toBe(undefined);
        expect(await store.count()).toBe(0);
        expect(await collect(store.match("#"))).toStrictEqual([]);
      });

      it("round-trips every field: every byte value, unicode topic, 5.0 properties in order", async () => {
        await store.set(fullRetained());
        const stored = await store.get(UNICODE_TOPIC);
        expectSame(stored, fullRetained());
        expect(stored?.payload instanceof Uint8Array).toBe(true);
        expectSame(stored?.properties?.userProperties, fullPublishProperties().userProperties);
      });

      it("round-trips a message without properties without inventing any", async () => {
        await store.set(retained("plain", everyByteValue()));
        expectSame(await store.get("plain"), retained("plain", everyByteValue()));
      });

      it("[MQTT-3.3.1-5] a new retained message replaces the previous one of its topic", async () => {
        await store.set(retained("sport", numberedPayload(1)));
        await store.set({ ...fullRetained(), topic: "sport" });
        expectSame(await store.get("sport"), { ...fullRetained(), topic: "sport" });
        expect(await store.count()).toBe(1);
      });

      it("[MQTT-3.3.1-10] a zero-byte retained message removes the retained message of its topic", async () => {
        await store.set(retained("sport"));
        await store.set(retained("sport/tennis"));
        await store.set(retained("sport", new Uint8Array(0)));
        expect(await store.get("sport")).toBe(undefined);
        expect(await store.count()).toBe(1);
        expect(await matchedTopics(store, "sport/#")).toStrictEqual(["sport/tennis"]);
      });

      it("[MQTT-3.3.1-11] a zero-byte retained message is not stored", async () => {
        await store.set(retained("empty", new Uint8Array(0)));
        expect(await store.get("empty")).toBe(undefined);
        expect(await store.count()).toBe(0);
        expect(await collect(store.match("#"))).toStrictEqual([]);
      });

      it("delete removes the message of one topic and ignores topics without one", async () => {
        await store.set(retained("a/b"));
        await store.set(retained("a/b/c"));
        await store.delete("a/b");
        await store.delete("a");
        await store.delete("never/set");
        expect(await store.get("a/b")).toBe(undefined);
        expectSame(await store.get("a/b/c"), retained("a/b/c"));
        expect(await store.count()).toBe(1);
      });

      it("topics are distinct byte for byte: case, unicode normalisation, empty levels", async () => {
        for (const [index, topic] of MATCH_TOPICS.entries()) {
          await store.set(retained(topic, numberedPayload(index)));
        }
        expect(await store.count()).toBe(MATCH_TOPICS.length);
        for (const [index, topic] of MATCH_TOPICS.entries()) {
          expectSame(await store.get(topic), retained(topic, numberedPayload(index)));
        }
      });

      it("count follows 300 concurrent sets, replacements and removals", async () => {
        const writes: Promise<void>[] = [];
        for (let index = 0; index < 300; index++) {
          writes.push(store.set(retained(`load/${index % 200}`, numberedPayload(index))));
        }
        for (let index = 0; index < 50; index++) {
          writes.push(store.set(retained(`load/${index}`, new Uint8Array(0))));
        }
        await Promise.all(writes);
        expect(await store.count()).toBe(150);
        // The last call for a topic wins: index 250 was set after index 50.
        expectSame(await store.get("load/50"), retained("load/50", numberedPayload(250)));
        expectSame(await store.get("load/199"), retained("load/199", numberedPayload(199)));
      });
    });

    describe("match", () => {
      it("agrees with matchesFilter for every filter of a table of wildcard cases", async () => {
        for (const topic of MATCH_TOPICS) await store.set(retained(topic));
        for (const filter of MATCH_FILTERS) {
          const expected = MATCH_TOPICS.filter((topic) => matchesFilter(filter, topic)).sort();
          expect({ filter, topics: await matchedTopics(store, filter) }).toStrictEqual({
            filter,
            topics: expected,
          });
        }
      });

      it("[MQTT-4.7.1-2] sport/# matches sport itself and every level below", async () => {
        for (const topic of MATCH_TOPICS) await store.set(retained(topic));
        expect(await matchedTopics(store, "sport/#")).toStrictEqual([
          "sport",
          "sport/",
          "sport/football/player1",
          "sport/tennis",
          "sport/tennis/player1",
          "sport/tennis/player1/ranking",
          "sport/tennis/player2",
        ]);
      });

      it("[MQTT-4.7.1-3] + matches exactly one level, an empty one included", async () => {
        for (const topic of MATCH_TOPICS) await store.set(retained(topic));
        expect(await matchedTopics(store, "sport/+")).toStrictEqual(["sport/", "sport/tennis"]);
        expect(await matchedTopics(store, "+/+")).toStrictEqual([
          "/",
          "/sport",
          "Sport/tennis",
          "a/b",
          "cafe\u0301/x",
          "caf\u00e9/x",
          "sport/",
          "sport/tennis",
        ]);
      });

      it("[MQTT-4.7.2-1] # and + do not match $SYS topics; $SYS/# does", async () => {
        for (const topic of MATCH_TOPICS) await store.set(retained(topic));
        const everything = await matchedTopics(store, "#");
        expect(everything.some((topic) => topic.startsWith("$"))).toBe(false);
        expect(everything.length).toBe(MATCH_TOPICS.length - 3);
        expect(await matchedTopics(store, "+/broker/clients")).toStrictEqual([]);
        expect(await matchedTopics(store, "$SYS/#")).toStrictEqual(["$SYS", "$SYS/broker/clients"]);
      });

      it("yields the full messages, each once, for # over 2000 retained messages", async () => {
        const messages = Array.from({ length: 2000 }, (_, index) =>
          retained(`fleet/${index % 40}/truck-${index}`, numberedPayload(index)),
        );
        await Promise.all(messages.map((stored) => store.set(stored)));
        const matched = await collect(store.match("fleet/#"));
        expectSame(matched.sort(byTopic), messages.slice().sort(byTopic));
      });

      it("messages yielded by match and get do not change when the store is written afterwards", async () => {
        await store.set(retained("a", numberedPayload(1)));
        const [matched] = await collect(store.match("a"));
        const got = await store.get("a");
        await store.set(retained("a", numberedPayload(2)));
        expectSame(matched, retained("a", numberedPayload(1)));
        expectSame(got, retained("a", numberedPayload(1)));
      });

      it("changing the message passed to set afterwards changes nothing stored", async () => {
        const message = fullRetained();
        await store.set(message);
        message.qos = 0;
        message.topic = "elsewhere";
        if (message.properties) message.properties.userProperties = [];
        expectSame(await store.get(UNICODE_TOPIC), fullRetained());
        expect(await store.get("elsewhere")).toBe(undefined);
      });

      it("a match called right after a set, without awaiting it, sees the set", async () => {
        const setting = store.set(retained("now/here"));
        const matching = collect(store.match("now/+"));
        await setting;
        expectSame(await matching, [retained("now/here")]);
      });
    });

    describe("close", () => {
      it("after close every operation rejects with MQTT_ERR_STORE_CLOSED and close is idempotent", async () => {
        await store.set(retained("a"));
        await store.close();
        await store.close();
        const code = "MQTT_ERR_STORE_CLOSED";
        await expectRejection(expect, store.set(retained("b")), code);
        await expectRejection(expect, store.get("a"), code);
        await expectRejection(expect, store.delete("a"), code);
        await expectRejection(expect, store.count(), code);
        await expectRejection(expect, collect(store.match("#")), code);
      });

      it("writes called before close resolve: close does not abandon them", async () => {
        const outcomes = await Promise.allSettled([
          store.set(retained("a")),
          store.delete("b"),
          store.close(),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toStrictEqual([
          "fulfilled",
          "fulfilled",
          "fulfilled",
        ]);
      });
    });

    const { reopen } = options;
    if (reopen === undefined) return;
    describe("reopen", () => {
      it("every retained message set before close is there after reopening, removals included", async () => {
        for (const topic of MATCH_TOPICS) await store.set(retained(topic));
        await store.set(fullRetained());
        await store.set(retained("sport", everyByteValue()));
        await store.set(retained("sport/", new Uint8Array(0)));
        await store.delete("a/b");
        const before = (await collect(store.match("#"))).sort(byTopic);
        const count = await store.count();
        await store.close();
        store = await reopen(store);
        expectSame((await collect(store.match("#"))).sort(byTopic), before);
        expect(await store.count()).toBe(count);
        expectSame(await store.get("$SYS"), retained("$SYS"));
      });

      it("sets called but not awaited before close are there after reopening", async () => {
        const writes = Promise.all([store.set(retained("a")), store.set(fullRetained())]);
        await store.close();
        await writes;
        store = await reopen(store);
        expectSame(await store.get("a"), retained("a"));
        expectSame(await store.get(UNICODE_TOPIC), fullRetained());
      });
    });
  });
}
