/**
 * Group commit and failed writes: one transaction per event-loop turn; a write that fails
 * (here: the size limit, as a full disk would) rejects every write of its batch and leaves
 * nothing of them, and the store goes on working from the last commit.
 */
import {
  type RetainedMessage,
  type SessionMessage,
  type SessionRecord,
  StoreError,
} from "@ternmq/session";
import { afterEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../src/index.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
afterEach(() => temp.cleanUp());

function record(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 1,
    updatedAt: 1,
    sessionExpiryInterval: 60,
    subscriptions: [],
    snapshot: {
      version: 1,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  };
}

function queued(index: number, size = 16): SessionMessage {
  return {
    topic: `q/${index}`,
    payload: new Uint8Array(size).fill(index & 0xff),
    qos: 1,
    retain: false,
  };
}

function retainedMessage(topic: string, size: number): RetainedMessage {
  return { topic, payload: new Uint8Array(size).fill(7), qos: 1, retain: true, receivedAt: 1 };
}

async function outcomes(writes: Promise<void>[]): Promise<(string | undefined)[]> {
  const settled = await Promise.allSettled(writes);
  return settled.map((outcome) =>
    outcome.status === "fulfilled"
      ? undefined
      : StoreError.isStoreError(outcome.reason)
        ? outcome.reason.code
        : String(outcome.reason),
  );
}

/** What a test compares before and after a failure: everything readable. */
async function stateOf(store: SqliteStore): Promise<unknown> {
  const topics: string[] = [];
  for await (const message of store.retained.match("#")) topics.push(message.topic);
  return {
    session: await store.sessions.load("client"),
    count: await store.retained.count(),
    topics: topics.sort(),
  };
}

describe("group commit", () => {
  it("writes of one turn share one promise and settle together", async () => {
    const store = temp.open();
    const first = store.sessions.save(record("a"));
    const second = store.retained.set(retainedMessage("t", 4));
    expect(first).toBe(second);
    await first;
    const third = store.retained.set(retainedMessage("t", 5));
    expect(third).not.toBe(first);
    await third;
  });

  it("a call rejected by validation changes nothing and does not fail the other writes of its turn", async () => {
    const store = temp.open();
    await store.sessions.save(record("client"));
    const results = await outcomes([
      store.sessions.update("client", { enqueue: [queued(1)] }),
      store.sessions.update("client", { enqueue: [queued(2)], dequeue: 5 }),
      store.sessions.update("nobody", { enqueue: [queued(3)] }),
      store.sessions.update("client", { enqueue: [{ ...queued(4), qos: 3 as 1 }] }),
      store.retained.set(retainedMessage("kept", 4)),
    ]);
    expect(results).toStrictEqual([
      undefined,
      "MQTT_ERR_STORE_INVALID_CHANGE",
      "MQTT_ERR_STORE_SESSION_NOT_FOUND",
      "MQTT_ERR_STORE_INVALID_CHANGE",
      undefined,
    ]);
    const reopened = await temp.reopen(store);
    const queue = (await reopened.sessions.load("client"))?.snapshot.outbound.queued;
    expect(queue?.map((message) => message.topic)).toStrictEqual(["q/1"]);
    expect(await reopened.retained.count()).toBe(1);
  });
});

describe("a full disk (simulated with maxDatabaseBytes)", () => {
  it("MQTT_ERR_STORE_FULL rejects every write of the failing turn (those called after the failing one too), applies none, and the store goes on", async () => {
    const store = temp.open({ maxDatabaseBytes: 128 * 1024 });
    await store.sessions.save(record("client"));
    let turn = 0;
    let before: unknown;
    let failed: (string | undefined)[] = [];
    // Fill turn by turn until a turn fails.
    for (; turn < 200; turn++) {
      before = await stateOf(store);
      // Like a QoS 2 PUBLISH: routing writes, then the publisher's awaiting-PUBREL id.
      const writes = [
        store.sessions.update("client", { enqueue: [queued(turn, 1500)], nextPacketId: 1 + turn }),
        store.retained.set(retainedMessage(`r/${turn}`, 1500)),
        store.sessions.update("client", { addAwaitingPubrel: [1 + turn] }),
      ];
      failed = await outcomes(writes);
      if (failed.some((code) => code !== undefined)) break;
    }
    expect(failed).toStrictEqual([
      "MQTT_ERR_STORE_FULL",
      "MQTT_ERR_STORE_FULL",
      "MQTT_ERR_STORE_FULL",
    ]);
    // Nothing of the failed turn: the state is the one of the last committed turn.
    expect(await stateOf(store)).toStrictEqual(before);
    // Space freed by deleting makes writes succeed again, with the queue order intact.
    await store.sessions.update("client", { dequeue: turn - 2 });
    for (let index = 0; index < turn - 2; index++) void store.retained.delete(`r/${index}`);
    await store.retained.set(retainedMessage("after", 1500));
    await store.sessions.update("client", { enqueue: [queued(999)] });
    const reopened = await temp.reopen(store);
    const queue = (await reopened.sessions.load("client"))?.snapshot.outbound.queued;
    expect(queue?.map((message) => message.topic)).toStrictEqual([
      `q/${turn - 2}`,
      `q/${turn - 1}`,
      "q/999",
    ]);
    expect(await reopened.retained.count()).toBe(3);
  });

  it("the error names the file and keeps the SQLite error as cause", async () => {
    const store = temp.open({ maxDatabaseBytes: 64 * 1024 });
    const error = await store.retained.set(retainedMessage("big", 200 * 1024)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(StoreError.isStoreError(error)).toBe(true);
    const storeError = error as StoreError;
    expect(storeError.code).toBe("MQTT_ERR_STORE_FULL");
    expect(storeError.file).toBe(store.path);
    expect((storeError.cause as { code?: unknown }).code).toBe("SQLITE_FULL");
    expect(await store.retained.count()).toBe(0);
  });
});
