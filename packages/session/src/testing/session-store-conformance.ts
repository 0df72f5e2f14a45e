/**
 * The conformance suite every `SessionStore` must pass (memory, durable, Redis).
 *
 * Design: the suite registers tests with the caller's test functions and creates a fresh
 * store per test with the caller's factory, closing it afterwards. Each test checks a
 * promise of the contract in store/session-store.ts that a broker's users would notice
 * when broken: a lost or reordered QoS 1/2 message, a redelivered QoS 2 message, a session
 * that leaks into another client id, state that survives a clean start.
 */
import {
  SESSION_SNAPSHOT_VERSION,
  type SessionMessage,
  type SessionSnapshot,
} from "../snapshot.js";
import type { SessionRecord, SessionStore } from "../store/session-store.js";
import {
  emptySnapshot,
  everyByteValue,
  fullMessage,
  fullRecord,
  fullWill,
  message,
  minimalRecord,
  numberedPayload,
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
export type SessionStoreFactory = () => SessionStore | Promise<SessionStore>;

/**
 * Registers the `SessionStore` conformance tests in a `describe` block named after `name`.
 *
 * Parameters:
 * - `name`: the store under test, e.g. "MemorySessionStore".
 * - `createStore`: returns a new, empty store; called before each test. The suite closes
 *   the store after each test (close is idempotent); delete files or keys in your own
 *   `afterEach`.
 * - `api`: the runner's `describe`, `it`, `beforeEach`, `afterEach` and `expect`.
 * - `options.reopen`: for a store that keeps data beyond the process, opens the same data
 *   again after the suite closed `store`; adds the tests that writes survive a reopen.
 *
 * See also: `describeRetainedStoreConformance`.
 */
export function describeSessionStoreConformance(
  name: string,
  createStore: SessionStoreFactory,
  api: ConformanceTestApi,
  options: ConformanceOptions<SessionStore> = {},
): void {
  const { describe, it, beforeEach, afterEach, expect } = api;
  const expectSame = (actual: unknown, expected: unknown) =>
    expect(comparable(actual)).toStrictEqual(comparable(expected));
  const queuedOf = async (store: SessionStore, clientId: string) =>
    (await store.load(clientId))?.snapshot.outbound.queued;
  const snapshotOf = async (store: SessionStore, clientId: string) =>
    (await store.load(clientId))?.snapshot;

  describe(`SessionStore conformance: ${name}`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe("save and load", () => {
      it("load of a client id that was never saved resolves undefined", async () => {
        expect(await store.load("nobody")).toBe(undefined);
      });

      it("round-trips every field of a 5.0 session: subscriptions, will, every inflight state", async () => {
        await store.save(fullRecord("client-1"));
        expectSame(await store.load("client-1"), fullRecord("client-1"));
      });

      it("round-trips a 3.1.1 session without inventing optional fields", async () => {
        await store.save(minimalRecord("client-1"));
        expectSame(await store.load("client-1"), minimalRecord("client-1"));
      });

      it("round-trips payloads with every byte value, empty and 256 KiB payloads as Uint8Array", async () => {
        const large = new Uint8Array(256 * 1024).map((_, index) => (index * 7) & 0xff);
        const record = minimalRecord("client-1");
        record.snapshot.outbound.queued = [
          message("bytes", everyByteValue()),
          message("empty", new Uint8Array(0)),
          message("large", large),
          message("view", everyByteValue().subarray(250, 260)),
        ];
        await store.save(record);
        const queued = await queuedOf(store, "client-1");
        expectSame(queued, record.snapshot.outbound.queued);
        expect(queued?.every((stored) => stored.payload instanceof Uint8Array)).toBe(true);
      });

      it("round-trips unicode topics and 5.0 user properties in order, duplicates included", async () => {
        const record = minimalRecord("client-1");
        record.snapshot.outbound.queued = [fullMessage()];
        await store.save(record);
        const [stored] = (await queuedOf(store, "client-1")) ?? [];
        expect(stored?.topic).toBe(UNICODE_TOPIC);
        expectSame(stored?.properties?.userProperties, fullMessage().properties?.userProperties);
        expectSame(stored, fullMessage());
      });

      it("keeps client ids distinct byte for byte: case and unicode normalisation matter", async () => {
        const clientIds = ["café", "cafe\u0301", "Café", "клиент-🚀", ""];
        for (const [index, clientId] of clientIds.entries()) {
          const record = minimalRecord(clientId);
          record.createdAt = index;
          await store.save(record);
        }
        for (const [index, clientId] of clientIds.entries()) {
          expect((await store.load(clientId))?.createdAt).toBe(index);
        }
      });

      it("save replaces the whole previous session (clean start keeps nothing)", async () => {
        await store.save(fullRecord("client-1"));
        await store.update("client-1", { enqueue: [message("late", numberedPayload(9))] });
        await store.save(minimalRecord("client-1"));
        expectSame(await store.load("client-1"), minimalRecord("client-1"));
      });

      it("save rejects an unknown snapshot version with MQTT_ERR_STORE_SNAPSHOT_VERSION and keeps the stored session", async () => {
        await store.save(fullRecord("client-1"));
        const future = {
          ...minimalRecord("client-1"),
          snapshot: { ...emptySnapshot(), version: SESSION_SNAPSHOT_VERSION + 1 },
        } as unknown as SessionRecord;
        await expectRejection(expect, store.save(future), "MQTT_ERR_STORE_SNAPSHOT_VERSION");
        expectSame(await store.load("client-1"), fullRecord("client-1"));
      });
    });

    describe("delete and list", () => {
      it("delete removes the session with its queued, inflight and awaiting-PUBREL state", async () => {
        await store.save(fullRecord("client-1"));
        await store.delete("client-1");
        expect(await store.load("client-1")).toBe(undefined);
        expect(await collect(store.clientIds())).toStrictEqual([]);
        await expectRejection(
          expect,
          store.update("client-1", { enqueue: [fullMessage()] }),
          "MQTT_ERR_STORE_SESSION_NOT_FOUND",
        );
        await store.save(minimalRecord("client-1"));
        expectSame(await store.load("client-1"), minimalRecord("client-1"));
      });

      it("delete of a client id that has no session resolves and changes nothing", async () => {
        await store.save(minimalRecord("client-1"));
        await store.delete("client-2");
        expectSame(await store.load("client-1"), minimalRecord("client-1"));
      });

      it("clientIds yields every stored session exactly once, for restart recovery", async () => {
        const saved = Array.from({ length: 60 }, (_, index) => `client-${index}-ü`);
        await Promise.all(saved.map((clientId) => store.save(minimalRecord(clientId))));
        await Promise.all(saved.slice(0, 10).map((clientId) => store.delete(clientId)));
        const listed = await collect(store.clientIds());
        expect(listed.slice().sort()).toStrictEqual(saved.slice(10).sort());
      });
    });

    describe("update", () => {
      it("update of a client id without a session rejects with MQTT_ERR_STORE_SESSION_NOT_FOUND and creates none", async () => {
        await expectRejection(
          expect,
          store.update("ghost", { enqueue: [fullMessage()], updatedAt: 5 }),
          "MQTT_ERR_STORE_SESSION_NOT_FOUND",
        );
        expect(await store.load("ghost")).toBe(undefined);
      });

      it("enqueue keeps the order of 500 concurrent updates and of messages within one change", async () => {
        await store.save(minimalRecord("client-1"));
        const expected: SessionMessage[] = [];
        const writes: Promise<void>[] = [];
        for (let index = 0; index < 500; index++) {
          const batch = [message(`q/${index}`, numberedPayload(index), { qos: index % 2 ? 1 : 2 })];
          if (index % 100 === 0) batch.push(message(`q/${index}/b`, numberedPayload(index + 1)));
          expected.push(...batch);
          writes.push(store.update("client-1", { enqueue: batch }));
        }
        await Promise.all(writes);
        expectSame(await queuedOf(store, "client-1"), expected);
      });

      it("enqueue appends after the messages the session was saved with", async () => {
        await store.save(fullRecord("client-1"));
        await store.update("client-1", { enqueue: [message("tail", numberedPayload(1))] });
        expectSame(await queuedOf(store, "client-1"), [
          ...fullRecord("client-1").snapshot.outbound.queued,
          message("tail", numberedPayload(1)),
        ]);
      });

      it("dequeue removes the oldest messages and keeps the rest in order", async () => {
        await store.save(minimalRecord("client-1"));
        const messages = Array.from({ length: 10 }, (_, index) =>
          message(`q/${index}`, numberedPayload(index)),
        );
        await store.update("client-1", { enqueue: messages });
        await store.update("client-1", { dequeue: 3 });
        await store.update("client-1", { dequeue: 1 });
        expectSame(await queuedOf(store, "client-1"), messages.slice(4));
      });

      it("dequeue beyond the queue rejects with MQTT_ERR_STORE_INVALID_CHANGE and applies nothing of the change", async () => {
        await store.save(minimalRecord("client-1"));
        await store.update("client-1", { enqueue: [message("q/0", numberedPayload(0))] });
        await expectRejection(
          expect,
          store.update("client-1", {
            enqueue: [message("q/1", numberedPayload(1))],
            dequeue: 3,
            updatedAt: 99,
          }),
          "MQTT_ERR_STORE_INVALID_CHANGE",
        );
        const record = await store.load("client-1");
        expect(record?.updatedAt).toBe(minimalRecord("client-1").updatedAt);
        expectSame(record?.snapshot.outbound.queued, [message("q/0", numberedPayload(0))]);
      });

      it("putInflight keeps the order first sent and replaces a known packet id in place (PUBREC)", async () => {
        await store.save(minimalRecord("client-1"));
        const first = message("a", numberedPayload(1), { qos: 2 });
        const second = message("b", numberedPayload(2));
        const third = message("c", numberedPayload(3), { qos: 2 });
        await store.update("client-1", {
          putInflight: [{ packetId: 40, state: "awaiting-pubrec", message: first }],
        });
        await store.update("client-1", {
          putInflight: [
            { packetId: 2, state: "awaiting-puback", message: second },
            { packetId: 65_535, state: "awaiting-pubrec", message: third },
          ],
        });
        await store.update("client-1", {
          putInflight: [{ packetId: 40, state: "awaiting-pubcomp" }],
        });
        expectSame((await snapshotOf(store, "client-1"))?.outbound.inflight, [
          { packetId: 40, state: "awaiting-pubcomp" },
          { packetId: 2, state: "awaiting-puback", message: second },
          { packetId: 65_535, state: "awaiting-pubrec", message: third },
        ]);
      });

      it("removeInflight removes by packet id (PUBACK, PUBCOMP) and ignores ids not inflight", async () => {
        await store.save(fullRecord("client-1"));
        await store.update("client-1", { removeInflight: [1, 12_345] });
        await store.update("client-1", { removeInflight: [1] });
        const inflight = fullRecord("client-1").snapshot.outbound.inflight;
        expectSame((await snapshotOf(store, "client-1"))?.outbound.inflight, [
          inflight[0],
          inflight[2],
        ]);
      });

      it("a packet id acknowledged and reused in one change goes after the others", async () => {
        await store.save(fullRecord("client-1"));
        const reused = message("reused", numberedPayload(65_535));
        await store.update("client-1", {
          removeInflight: [65_535],
          putInflight: [{ packetId: 65_535, state: "awaiting-puback", message: reused }],
        });
        const inflight = fullRecord("client-1").snapshot.outbound.inflight;
        expectSame((await snapshotOf(store, "client-1"))?.outbound.inflight, [
          inflight[1],
          inflight[2],
          { packetId: 65_535, state: "awaiting-puback", message: reused },
        ]);
      });

      it("moving a queued message inflight is one change: dequeue, putInflight and nextPacketId", async () => {
        await store.save(minimalRecord("client-1"));
        const head = message("q/0", numberedPayload(0));
        const tail = message("q/1", numberedPayload(1));
        await store.update("client-1", { enqueue: [head, tail] });
        await store.update("client-1", {
          dequeue: 1,
          putInflight: [{ packetId: 1, state: "awaiting-puback", message: head }],
          nextPacketId: 2,
        });
        const expected: SessionSnapshot = emptySnapshot();
        expected.outbound = {
          inflight: [{ packetId: 1, state: "awaiting-puback", message: head }],
          queued: [tail],
          nextPacketId: 2,
        };
        expectSame(await snapshotOf(store, "client-1"), expected);
      });

      it("rejects packet ids outside 1-65535 with MQTT_ERR_STORE_INVALID_CHANGE and applies nothing", async () => {
        await store.save(fullRecord("client-1"));
        const badIds = [0, 65_536, -1, 1.5, Number.NaN];
        for (const packetId of badIds) {
          const changes = [
            { removeInflight: [packetId] },
            { putInflight: [{ packetId, state: "awaiting-pubcomp" as const }] },
            { nextPacketId: packetId },
            { addAwaitingPubrel: [packetId] },
            { removeAwaitingPubrel: [packetId] },
          ];
          for (const change of changes) {
            await expectRejection(
              expect,
              store.update("client-1", { ...change, enqueue: [fullMessage()] }),
              "MQTT_ERR_STORE_INVALID_CHANGE",
            );
          }
        }
        expectSame(await store.load("client-1"), fullRecord("client-1"));
      });

      it("QoS 2 ids awaiting PUBREL: added once each in arrival order, removed by id", async () => {
        await store.save(minimalRecord("client-1"));
        await store.update("client-1", { addAwaitingPubrel: [5, 1, 65_535] });
        await store.update("client-1", { addAwaitingPubrel: [1, 9] });
        await store.update("client-1", { removeAwaitingPubrel: [65_535, 4] });
        expect((await snapshotOf(store, "client-1"))?.inbound.awaitingPubrel).toStrictEqual([
          5, 1, 9,
        ]);
        // PUBREL for 5 and a new QoS 2 PUBLISH reusing 5 in one change: 5 is awaited again.
        await store.update("client-1", { removeAwaitingPubrel: [5], addAwaitingPubrel: [5] });
        expect((await snapshotOf(store, "client-1"))?.inbound.awaitingPubrel).toStrictEqual([
          1, 9, 5,
        ]);
      });

      it("nextPacketId is stored for the allocator to continue after a restart", async () => {
        await store.save(minimalRecord("client-1"));
        await store.update("client-1", { nextPacketId: 65_535 });
        expect((await snapshotOf(store, "client-1"))?.outbound.nextPacketId).toBe(65_535);
      });

      it("record fields change through update: subscriptions, will, expiry, disconnect time", async () => {
        await store.save(minimalRecord("client-1"));
        const subscriptions = fullRecord("client-1").subscriptions;
        await store.update("client-1", {
          updatedAt: 1_800_000_000_000,
          sessionExpiryInterval: 120,
          disconnectedAt: 1_800_000_000_000,
          subscriptions,
          will: fullWill(),
        });
        expectSame(await store.load("client-1"), {
          ...minimalRecord("client-1"),
          updatedAt: 1_800_000_000_000,
          sessionExpiryInterval: 120,
          disconnectedAt: 1_800_000_000_000,
          subscriptions,
          will: fullWill(),
        });
        await store.update("client-1", { disconnectedAt: null, will: null, subscriptions: [] });
        expectSame(await store.load("client-1"), {
          ...minimalRecord("client-1"),
          updatedAt: 1_800_000_000_000,
          sessionExpiryInterval: 120,
        });
      });

      it("an empty change leaves the session as it was", async () => {
        await store.save(fullRecord("client-1"));
        await store.update("client-1", {});
        expectSame(await store.load("client-1"), fullRecord("client-1"));
      });
    });

    describe("isolation", () => {
      it("sessions of different client ids do not share state", async () => {
        await store.save(minimalRecord("client-1"));
        await store.save(minimalRecord("client-2"));
        await Promise.all([
          store.update("client-1", {
            enqueue: [message("one", numberedPayload(1))],
            putInflight: [{ packetId: 3, state: "awaiting-pubcomp" }],
            addAwaitingPubrel: [4],
          }),
          store.update("client-2", { enqueue: [message("two", numberedPayload(2))] }),
        ]);
        await store.delete("client-1");
        const expected = minimalRecord("client-2");
        expected.snapshot.outbound.queued = [message("two", numberedPayload(2))];
        expectSame(await store.load("client-2"), expected);
      });

      it("a loaded record does not change when the session is written afterwards", async () => {
        await store.save(fullRecord("client-1"));
        const loaded = await store.load("client-1");
        await store.update("client-1", {
          enqueue: [fullMessage()],
          removeInflight: [1],
          addAwaitingPubrel: [8],
          subscriptions: [],
        });
        expectSame(loaded, fullRecord("client-1"));
      });

      it("changing the objects passed to save or update afterwards changes nothing stored", async () => {
        const record = fullRecord("client-1");
        await store.save(record);
        const queuedMessage = message("q", numberedPayload(1), {
          properties: { userProperties: [["k", "v"]] },
        });
        const subscriptions = [{ topicFilter: "a/#", qos: 1 as const }];
        await store.update("client-1", { enqueue: [queuedMessage], subscriptions });
        record.subscriptions.length = 0;
        record.snapshot.outbound.queued.length = 0;
        record.snapshot.inbound.awaitingPubrel.push(77);
        queuedMessage.topic = "changed";
        if (queuedMessage.properties) queuedMessage.properties.userProperties = [];
        subscriptions.push({ topicFilter: "b", qos: 1 });
        const expected = fullRecord("client-1");
        expected.subscriptions = [{ topicFilter: "a/#", qos: 1 }];
        expected.snapshot.outbound.queued.push(
          message("q", numberedPayload(1), { properties: { userProperties: [["k", "v"]] } }),
        );
        expectSame(await store.load("client-1"), expected);
      });
    });

    describe("call order", () => {
      it("writes take effect in call order even when none is awaited before the next", async () => {
        const finalRecord = minimalRecord("client-1");
        finalRecord.createdAt = 42;
        await Promise.all([
          store.save(fullRecord("client-1")),
          store.update("client-1", { enqueue: [message("lost", numberedPayload(1))] }),
          store.delete("client-1"),
          store.save(finalRecord),
          store.update("client-1", { enqueue: [message("kept", numberedPayload(2))] }),
        ]);
        finalRecord.snapshot.outbound.queued = [message("kept", numberedPayload(2))];
        expectSame(await store.load("client-1"), finalRecord);
      });

      it("a load called right after a write, without awaiting it, sees the write", async () => {
        const saving = store.save(fullRecord("client-1"));
        const loading = store.load("client-1");
        await saving;
        expectSame(await loading, fullRecord("client-1"));
      });
    });

    describe("close", () => {
      it("after close every operation rejects with MQTT_ERR_STORE_CLOSED and close is idempotent", async () => {
        await store.save(minimalRecord("client-1"));
        await store.close();
        await store.close();
        const code = "MQTT_ERR_STORE_CLOSED";
        await expectRejection(expect, store.load("client-1"), code);
        await expectRejection(expect, store.save(minimalRecord("client-2")), code);
        await expectRejection(expect, store.update("client-1", { nextPacketId: 2 }), code);
        await expectRejection(expect, store.delete("client-1"), code);
        await expectRejection(expect, collect(store.clientIds()), code);
      });

      it("writes called before close resolve: close does not abandon them", async () => {
        await store.save(minimalRecord("client-1"));
        const outcomes = await Promise.allSettled([
          store.update("client-1", { enqueue: [fullMessage()] }),
          store.save(minimalRecord("client-2")),
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
      it("every write resolved before close is there after reopening", async () => {
        await store.save(fullRecord("client-1"));
        await store.save(minimalRecord("client-2"));
        await store.save(minimalRecord("client-3"));
        await store.update("client-1", {
          dequeue: 1,
          enqueue: [message("tail", numberedPayload(1))],
          removeInflight: [1],
          putInflight: [{ packetId: 7, state: "awaiting-pubcomp" }],
          nextPacketId: 9,
          addAwaitingPubrel: [9],
          will: null,
          disconnectedAt: 1_700_000_200_000,
        });
        await store.delete("client-3");
        const before = await store.load("client-1");
        await store.close();
        store = await reopen(store);
        expectSame(await store.load("client-1"), before);
        expectSame(await store.load("client-2"), minimalRecord("client-2"));
        expect(await store.load("client-3")).toBe(undefined);
        expect((await collect(store.clientIds())).sort()).toStrictEqual(["client-1", "client-2"]);
      });

      it("writes called but not awaited before close are there after reopening", async () => {
        await store.save(minimalRecord("client-1"));
        const writes = Promise.all([
          store.update("client-1", { enqueue: [fullMessage()] }),
          store.save(minimalRecord("client-2")),
        ]);
        await store.close();
        await writes;
        store = await reopen(store);
        expectSame(await queuedOf(store, "client-1"), [fullMessage()]);
        expectSame(await store.load("client-2"), minimalRecord("client-2"));
      });
    });
  });
}
