import {
  MemoryRetainedStore,
  MemorySessionStore,
  type RetainedStore,
  SESSION_SNAPSHOT_VERSION,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from "@ternmq/session";
import {
  describeRetainedStoreConformance,
  describeSessionStoreConformance,
} from "@ternmq/session/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const testApi = { describe, it, beforeEach, afterEach, expect };

describeSessionStoreConformance("MemorySessionStore", () => new MemorySessionStore(), testApi);
describeRetainedStoreConformance("MemoryRetainedStore", () => new MemoryRetainedStore(), testApi);

/**
 * Stands in for a durable store to exercise the suites' `reopen` tests: every handle of one
 * "database" shares one memory store, and a closed handle answers like a closed store.
 */
function reopenableStores<Store extends { close(): Promise<void> }>(
  createStore: () => Store,
): { open: () => Store; reopen: (closed: Store) => Store } {
  const closedStore = createStore();
  void closedStore.close();
  const databases = new WeakMap<Store, Store>();
  const handle = (database: Store): Store => {
    let state: "open" | "closed" = "open";
    const proxy = new Proxy(database, {
      get(_target, key) {
        if (key === "close") {
          return async () => {
            state = "closed";
          };
        }
        const target = state === "open" ? database : closedStore;
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    databases.set(proxy, database);
    return proxy;
  };
  return {
    open: () => handle(createStore()),
    reopen: (closed) => handle(databases.get(closed) ?? createStore()),
  };
}

const reopenableSessions = reopenableStores<SessionStore>(() => new MemorySessionStore());
describeSessionStoreConformance(
  "MemorySessionStore behind reopenable handles",
  reopenableSessions.open,
  testApi,
  { reopen: reopenableSessions.reopen },
);
const reopenableRetained = reopenableStores<RetainedStore>(() => new MemoryRetainedStore());
describeRetainedStoreConformance(
  "MemoryRetainedStore behind reopenable handles",
  reopenableRetained.open,
  testApi,
  { reopen: reopenableRetained.reopen },
);

function queuedMessage(index: number): SessionMessage {
  return { topic: `q/${index}`, payload: Uint8Array.of(index & 0xff), qos: 1, retain: false };
}

function sessionRecord(clientId: string, queued: SessionMessage[]): SessionRecord {
  return {
    clientId,
    createdAt: 0,
    updatedAt: 0,
    sessionExpiryInterval: 60,
    subscriptions: [],
    snapshot: {
      version: SESSION_SNAPSHOT_VERSION,
      outbound: { inflight: [], queued, nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  };
}

describe("MemorySessionStore", () => {
  it("keeps queue order when an offline queue of 3000 is drained one message at a time", async () => {
    const store = new MemorySessionStore();
    await store.save(sessionRecord("c", []));
    const messages = Array.from({ length: 3000 }, (_, index) => queuedMessage(index));
    await store.update("c", { enqueue: messages });
    for (let index = 0; index < 2500; index++) await store.update("c", { dequeue: 1 });
    await store.update("c", { enqueue: [queuedMessage(3000)] });
    const queued = (await store.load("c"))?.snapshot.outbound.queued;
    expect(queued?.map((message) => message.topic)).toStrictEqual(
      [...messages.slice(2500), queuedMessage(3000)].map((message) => message.topic),
    );
  });

  it("shares payload bytes instead of copying them (payloads are immutable by convention)", async () => {
    const store = new MemorySessionStore();
    const payload = Uint8Array.of(1, 2, 3);
    await store.save(sessionRecord("c", [{ ...queuedMessage(0), payload }]));
    const [loaded] = (await store.load("c"))?.snapshot.outbound.queued ?? [];
    expect(loaded?.payload).toBe(payload);
  });

  it("rejects with a StoreError recognised across package copies", async () => {
    const store = new MemorySessionStore();
    const error = await store.update("missing", {}).catch((reason: unknown) => reason);
    expect(StoreError.isStoreError(error)).toBe(true);
    expect(error).toBeInstanceOf(StoreError);
    expect(StoreError.isStoreError(new Error("plain"))).toBe(false);
  });
});

describe("MemoryRetainedStore", () => {
  it("prunes emptied branches: after removing every message, # yields nothing", async () => {
    const store = new MemoryRetainedStore();
    const topics = ["a/b/c/d", "a/b", "a//", "a/b/c/e"];
    for (const topic of topics) {
      await store.set({ topic, payload: Uint8Array.of(1), qos: 0, retain: true, receivedAt: 0 });
    }
    for (const topic of topics) await store.delete(topic);
    await store.set({
      topic: "a/b/c",
      payload: new Uint8Array(0),
      qos: 0,
      retain: true,
      receivedAt: 0,
    });
    const matched = [];
    for await (const message of store.match("#")) matched.push(message);
    expect(matched).toStrictEqual([]);
    expect(await store.count()).toBe(0);
  });

  it("matches deep topics (10000 levels) without recursion", async () => {
    const store = new MemoryRetainedStore();
    const topic = Array.from({ length: 10_000 }, (_, index) => `l${index}`).join("/");
    await store.set({ topic, payload: Uint8Array.of(1), qos: 0, retain: true, receivedAt: 0 });
    const matched = [];
    for await (const message of store.match("l0/#")) matched.push(message.topic);
    expect(matched).toStrictEqual([topic]);
    await store.delete(topic);
    expect(await store.count()).toBe(0);
  });
});
