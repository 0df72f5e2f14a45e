/**
 * Restarts: close, reopen, and every piece of state is back, in order; and what is written
 * after the restart continues that order (queue sequence, inflight and awaiting-PUBREL
 * positions are derived from the file, not from memory).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  MemoryRetainedStore,
  MemorySessionStore,
  type OutboundInflight,
  type RetainedMessage,
  type RetainedStore,
  type SessionChanges,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from "@ternmq/session";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../src/index.js";
import { plain } from "./plain.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
afterEach(() => temp.cleanUp());

function message(topic: string, byte: number, qos: 0 | 1 | 2 = 1): SessionMessage {
  return { topic, payload: Uint8Array.of(byte, 255 - byte), qos, retain: false };
}

function record(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_500,
    sessionExpiryInterval: 0xffff_ffff,
    disconnectedAt: 1_700_000_000_900,
    subscriptions: [
      { topicFilter: "a/#", qos: 2, noLocal: true, retainHandling: 1, subscriptionIdentifier: 9 },
      { topicFilter: "b/+", qos: 0 },
    ],
    will: {
      topic: "will",
      payload: Uint8Array.of(0, 1, 2),
      qos: 1,
      retain: true,
      properties: { willDelayInterval: 5, correlationData: Uint8Array.of(9) },
    },
    snapshot: {
      version: 1,
      outbound: {
        inflight: [
          { packetId: 10, state: "awaiting-pubrec", message: message("in/10", 10, 2) },
          { packetId: 3, state: "awaiting-pubcomp" },
          {
            packetId: 7,
            state: "awaiting-puback",
            message: { ...message("in/7", 7), properties: { userProperties: [["k", "v"]] } },
          },
        ],
        queued: [message("q/0", 0), message("q/1", 1, 0), message("q/2", 2, 2)],
        nextPacketId: 11,
      },
      inbound: { awaitingPubrel: [40, 4, 400] },
    },
  };
}

describe("restart", () => {
  it("every piece of session and retained state is back after a reopen, in order", async () => {
    let store = temp.open();
    await store.sessions.save(record("client"));
    await store.sessions.update("client", {
      dequeue: 1,
      enqueue: [message("q/3", 3)],
      removeInflight: [3],
      putInflight: [
        { packetId: 10, state: "awaiting-pubcomp" },
        { packetId: 11, state: "awaiting-puback", message: message("in/11", 11) },
      ],
      nextPacketId: 12,
      removeAwaitingPubrel: [4],
      addAwaitingPubrel: [5],
    });
    const retained: RetainedMessage = {
      ...message("r/1", 1),
      retain: true,
      receivedAt: 77,
      properties: { messageExpiryInterval: 60, contentType: "text/plain" },
    };
    await store.retained.set(retained);
    const before = await store.sessions.load("client");
    store = await temp.reopen(store);
    const after = await store.sessions.load("client");
    expect(plain(after)).toStrictEqual(plain(before));
    expect(after?.snapshot.outbound.queued.map((queued) => queued.topic)).toStrictEqual([
      "q/1",
      "q/2",
      "q/3",
    ]);
    expect(after?.snapshot.outbound.inflight.map((entry) => entry.packetId)).toStrictEqual([
      10, 7, 11,
    ]);
    expect(after?.snapshot.inbound.awaitingPubrel).toStrictEqual([40, 400, 5]);
    expect(plain(await store.retained.get("r/1"))).toStrictEqual(plain(retained));
    expect(await store.retained.count()).toBe(1);
  });

  it("writes after a reopen continue the queue, inflight and awaiting-PUBREL order", async () => {
    let store = temp.open();
    await store.sessions.save(record("client"));
    store = await temp.reopen(store);
    await store.sessions.update("client", {
      dequeue: 2,
      enqueue: [message("q/3", 3), message("q/4", 4)],
      putInflight: [
        { packetId: 1, state: "awaiting-puback", message: message("in/1", 1) },
        { packetId: 10, state: "awaiting-pubcomp" },
      ],
      addAwaitingPubrel: [1, 40],
    });
    store = await temp.reopen(store);
    await store.sessions.update("client", { dequeue: 1, enqueue: [message("q/5", 5)] });
    const snapshot = (await store.sessions.load("client"))?.snapshot;
    expect(snapshot?.outbound.queued.map((queued) => queued.topic)).toStrictEqual([
      "q/3",
      "q/4",
      "q/5",
    ]);
    expect(snapshot?.outbound.inflight.map((entry) => [entry.packetId, entry.state])).toStrictEqual(
      [
        [10, "awaiting-pubcomp"],
        [3, "awaiting-pubcomp"],
        [7, "awaiting-puback"],
        [1, "awaiting-puback"],
      ],
    );
    expect(snapshot?.inbound.awaitingPubrel).toStrictEqual([40, 4, 400, 1]);
  });

  it("a closed data folder holds only ternmq.db: the WAL is checkpointed and removed", async () => {
    const store = temp.open();
    await store.retained.set({ ...message("a", 1), retain: true, receivedAt: 1 });
    const folder = join(store.path, "..");
    expect(readdirSync(folder).sort()).toStrictEqual(["ternmq.db", "ternmq.db-wal"]);
    await store.close();
    expect(readdirSync(folder)).toStrictEqual(["ternmq.db"]);
  });

  it("an emptied queue starts again after a reopen and keeps order", async () => {
    let store = temp.open();
    await store.sessions.save(record("client"));
    await store.sessions.update("client", { dequeue: 3 });
    store = await temp.reopen(store);
    await store.sessions.update("client", { enqueue: [message("q/9", 9)] });
    await store.sessions.update("client", { enqueue: [message("q/10", 10)] });
    store = await temp.reopen(store);
    const queued = (await store.sessions.load("client"))?.snapshot.outbound.queued;
    expect(queued?.map((entry) => entry.topic)).toStrictEqual(["q/9", "q/10"]);
  });
});

// Model test: random writes applied to the SQLite store and to the memory store (the
// reference implementation), with reopens in between, must read back the same.

type Command =
  | { kind: "save"; clientId: string }
  | { kind: "update"; clientId: string; changes: SessionChanges }
  | { kind: "delete"; clientId: string }
  | { kind: "set"; topic: string; byte: number; empty: boolean }
  | { kind: "unset"; topic: string }
  | { kind: "reopen" };

const clientIds = ["a", "b", "ü"];
const topics = ["x", "x/y", "x/y/z", "$SYS/x", "y"];
const packetId = fc.integer({ min: 1, max: 6 });
const messageArbitrary = fc
  .record({ topic: fc.constantFrom(...topics), byte: fc.nat(255), qos: fc.constantFrom(0, 1, 2) })
  .map(({ topic, byte, qos }) => message(topic, byte, qos as 0 | 1 | 2));
const inflightArbitrary: fc.Arbitrary<OutboundInflight> = fc.oneof(
  fc.record({ packetId, message: messageArbitrary }).map(({ packetId: id, message: inner }) => ({
    packetId: id,
    state: "awaiting-puback" as const,
    message: inner,
  })),
  packetId.map((id) => ({ packetId: id, state: "awaiting-pubcomp" as const })),
);
const changesArbitrary: fc.Arbitrary<SessionChanges> = fc.record(
  {
    updatedAt: fc.nat(),
    disconnectedAt: fc.option(fc.nat()),
    dequeue: fc.nat(3),
    enqueue: fc.array(messageArbitrary, { maxLength: 3 }),
    removeInflight: fc.array(packetId, { maxLength: 2 }),
    putInflight: fc.array(inflightArbitrary, { maxLength: 2 }),
    nextPacketId: fc.integer({ min: 1, max: 65_535 }),
    removeAwaitingPubrel: fc.array(packetId, { maxLength: 2 }),
    addAwaitingPubrel: fc.array(packetId, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom(...clientIds).map((id) => ({ kind: "save" as const, clientId: id })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({ clientId: fc.constantFrom(...clientIds), changes: changesArbitrary })
      .map((fields) => ({ kind: "update" as const, ...fields })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...clientIds)
      .map((id) => ({ kind: "delete" as const, clientId: id })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ topic: fc.constantFrom(...topics), byte: fc.nat(255), empty: fc.boolean() })
      .map((fields) => ({ kind: "set" as const, ...fields })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...topics).map((topic) => ({ kind: "unset" as const, topic })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

interface Stores {
  sessions: SessionStore;
  retained: RetainedStore;
}

/** Issues one command (not awaited); returns its promise. */
function issue(stores: Stores, command: Exclude<Command, { kind: "reopen" }>): Promise<void> {
  switch (command.kind) {
    case "save":
      return stores.sessions.save(record(command.clientId));
    case "update":
      return stores.sessions.update(command.clientId, command.changes);
    case "delete":
      return stores.sessions.delete(command.clientId);
    case "set":
      return stores.retained.set({
        topic: command.topic,
        payload: command.empty ? new Uint8Array(0) : Uint8Array.of(command.byte),
        qos: 1,
        retain: true,
        receivedAt: command.byte,
      });
    case "unset":
      return stores.retained.delete(command.topic);
  }
}

async function settle(writes: Promise<void>[]): Promise<(string | undefined)[]> {
  const outcomes = await Promise.allSettled(writes);
  return outcomes.map((outcome) =>
    outcome.status === "fulfilled"
      ? undefined
      : StoreError.isStoreError(outcome.reason)
        ? outcome.reason.code
        : String(outcome.reason),
  );
}

async function contents(stores: Stores): Promise<unknown> {
  const sessions: unknown[] = [];
  for (const clientId of clientIds) sessions.push(await stores.sessions.load(clientId));
  const retained: RetainedMessage[] = [];
  for await (const stored of stores.retained.match("#")) retained.push(stored);
  retained.sort((left, right) => (left.topic < right.topic ? -1 : 1));
  return plain({ sessions, retained, count: await stores.retained.count() });
}

describe("restart model", () => {
  it("random writes in turns, with reopens, read back like the memory store", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(commandArbitrary, { minLength: 1, maxLength: 4 }), { maxLength: 12 }),
        async (turns) => {
          const model: Stores = {
            sessions: new MemorySessionStore(),
            retained: new MemoryRetainedStore(),
          };
          let store: SqliteStore = temp.open({ durability: "relaxed" });
          try {
            for (const turn of turns) {
              const expected: Promise<void>[] = [];
              const actual: Promise<void>[] = [];
              for (const command of turn) {
                if (command.kind === "reopen") continue;
                expected.push(issue(model, command));
                actual.push(issue(store, command));
              }
              const [actualOutcomes, expectedOutcomes] = await Promise.all([
                settle(actual),
                settle(expected),
              ]);
              expect(actualOutcomes).toStrictEqual(expectedOutcomes);
              if (turn.some((command) => command.kind === "reopen")) {
                store = await temp.reopen(store, { durability: "relaxed" });
              }
              expect(await contents(store)).toStrictEqual(await contents(model));
            }
            store = await temp.reopen(store, { durability: "relaxed" });
            expect(await contents(store)).toStrictEqual(await contents(model));
          } finally {
            await temp.cleanUp();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
