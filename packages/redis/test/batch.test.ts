import { describe, expect, it } from "vitest";
import type { BatchArgument, ScriptedRedis } from "../src/batch.js";
import { emptyRecord, useRedisServer } from "./open-stores.js";
import { callsBetween, commandCalls } from "./redis-probe.js";

const { probe, stores } = useRedisServer();

const message = (topic: string, byte: number) => ({
  topic,
  payload: Uint8Array.of(byte),
  qos: 1 as const,
  retain: false,
});

async function rejectionCode(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (error as { code?: unknown }).code,
  );
}

describe("group commit", () => {
  it("the writes called in one event-loop turn are ONE script call to Redis", async () => {
    const { sessions, retained, data } = stores.open();
    await sessions.save(emptyRecord("client-1"));
    const before = await commandCalls(probe());
    await Promise.all([
      sessions.update("client-1", { enqueue: [message("a", 1)] }),
      sessions.update("client-1", { enqueue: [message("b", 2)], nextPacketId: 7 }),
      sessions.save(emptyRecord("client-2")),
      retained.set({ ...message("r", 3), retain: true, receivedAt: 5 }),
      data.inboxPush("client-3", message("c", 4)),
      data.addNodeRoute("node-a", "x/#"),
    ]);
    const after = await commandCalls(probe());
    const delta = callsBetween(before, after, ["eval", "evalsha"]);
    expect((delta.eval ?? 0) + (delta.evalsha ?? 0)).toBe(1);
    const loaded = await sessions.load("client-1");
    expect(loaded?.snapshot.outbound.queued.map((queued) => queued.topic)).toStrictEqual([
      "a",
      "b",
    ]);
    expect(loaded?.snapshot.outbound.nextPacketId).toBe(7);
    expect(await sessions.load("client-2")).toBeDefined();
    expect((await retained.get("r"))?.receivedAt).toBe(5);
    expect(await data.inboxRead("client-3", 10)).toHaveLength(1);
  });

  it("a refused op rejects only its caller, changes nothing, and the other ops apply", async () => {
    const { sessions, retained, redis, keyPrefix } = stores.open();
    await sessions.save(emptyRecord("client-1"));
    const outcomes = await Promise.all([
      rejectionCode(sessions.update("ghost", { enqueue: [message("g", 1)], updatedAt: 9 })),
      rejectionCode(
        sessions.update("client-1", { enqueue: [message("lost", 2)], dequeue: 3, updatedAt: 9 }),
      ),
      rejectionCode(sessions.update("client-1", { enqueue: [message("kept", 3)] })),
      rejectionCode(retained.set({ ...message("r", 4), retain: true, receivedAt: 1 })),
    ]);
    expect(outcomes).toStrictEqual([
      "MQTT_ERR_STORE_SESSION_NOT_FOUND",
      "MQTT_ERR_STORE_INVALID_CHANGE",
      "resolved",
      "resolved",
    ]);
    expect(await redis.exists(`${keyPrefix}s:ghost`, `${keyPrefix}sq:ghost`)).toBe(0);
    expect(await redis.sismember(`${keyPrefix}sessions`, "ghost")).toBe(0);
    const loaded = await sessions.load("client-1");
    expect(loaded?.updatedAt).toBe(1);
    expect(loaded?.snapshot.outbound.queued.map((queued) => queued.topic)).toStrictEqual(["kept"]);
    expect(await retained.count()).toBe(1);
  });

  it("the same transaction sent twice (an ioredis resend) is applied once and answered alike", async () => {
    const stored = stores.open();
    const redis = stored.redis as ScriptedRedis;
    const sent: [string, string, number, BatchArgument[]][] = [];
    const original = redis.ternmqWrite.bind(redis);
    redis.ternmqWrite = (prefix, transactionId, ttl, ops) => {
      sent.push([prefix, transactionId, ttl, ops.slice()]);
      return original(prefix, transactionId, ttl, ops);
    };
    const [, previous] = await Promise.all([
      stored.data.inboxPush("client-1", message("once", 1)),
      stored.data.claimOwner("client-1", "node-a"),
    ]);
    expect(previous).toBe(undefined);
    expect(sent).toHaveLength(1);
    const [prefix, transactionId, ttl, ops] = sent[0] ?? ["", "", 0, []];
    const first = await original(prefix, transactionId, ttl, ops);
    const again = await original(prefix, transactionId, ttl, ops);
    expect(again).toBe(first);
    // The claim's result is still "no previous owner": the second call applied nothing.
    expect(JSON.parse(again)).toStrictEqual([false]);
    expect(await stored.data.inboxRead("client-1", 10)).toHaveLength(1);
    // A new transaction id is a new batch.
    await original(prefix, `${transactionId}-other`, ttl, ops);
    expect(await stored.data.inboxRead("client-1", 10)).toHaveLength(2);
  });

  it("each batch leaves one transaction key that expires (PX)", async () => {
    const { data, redis, keyPrefix } = stores.open();
    await data.registerNode("node-a");
    await data.registerNode("node-b");
    const [, transactionKeys] = await redis.scan("0", "MATCH", `${keyPrefix}tx:*`, "COUNT", 1000);
    expect(transactionKeys).toHaveLength(2);
    for (const key of transactionKeys) {
      const ttl = await redis.pttl(key);
      expect(ttl > 0 && ttl <= 600_000).toBe(true);
    }
  });

  it("a read called right after writes, without awaiting them, sees them", async () => {
    const { data } = stores.open();
    const writes = [data.inboxPush("c", message("1", 1)), data.inboxPush("c", message("2", 2))];
    const reading = data.inboxRead("c", 10);
    const trim = data.inboxTrim("c", 1);
    const readingAfterTrim = data.inboxRead("c", 10);
    await Promise.all([...writes, trim]);
    expect((await reading).map((entry) => entry.topic)).toStrictEqual(["1", "2"]);
    expect((await readingAfterTrim).map((entry) => entry.topic)).toStrictEqual(["2"]);
  });

  it("a batch Redis refuses (OOM) rejects every write of it with MQTT_ERR_STORE_FULL and applies none", async () => {
    const { sessions, retained, data } = stores.open();
    await sessions.save(emptyRecord("client-1"));
    await probe().config("SET", "maxmemory", "1");
    let outcomes: unknown[];
    try {
      outcomes = await Promise.all([
        rejectionCode(sessions.update("client-1", { enqueue: [message("a", 1)] })),
        rejectionCode(retained.set({ ...message("r", 2), retain: true, receivedAt: 1 })),
        rejectionCode(data.inboxPush("client-2", message("i", 3))),
      ]);
    } finally {
      await probe().config("SET", "maxmemory", "0");
    }
    expect(outcomes).toStrictEqual([
      "MQTT_ERR_STORE_FULL",
      "MQTT_ERR_STORE_FULL",
      "MQTT_ERR_STORE_FULL",
    ]);
    expect((await sessions.load("client-1"))?.snapshot.outbound.queued).toStrictEqual([]);
    expect(await retained.count()).toBe(0);
    expect(await data.inboxRead("client-2", 10)).toStrictEqual([]);
    // The store stays usable.
    await sessions.update("client-1", { enqueue: [message("b", 4)] });
    expect((await sessions.load("client-1"))?.snapshot.outbound.queued).toHaveLength(1);
  });
});
