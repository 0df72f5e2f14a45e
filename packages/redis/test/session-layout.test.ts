import type { SessionMessage, SessionRecord } from "@ternmq/session";
import { describe, expect, it } from "vitest";
import { useRedisServer } from "./open-stores.js";
import { callsBetween, commandCalls } from "./redis-probe.js";

const { probe, stores } = useRedisServer();

const message = (index: number): SessionMessage => ({
  topic: `q/${index}`,
  payload: Uint8Array.of(index & 0xff, index >> 8),
  qos: 1,
  retain: false,
});

function record(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 1,
    updatedAt: 1,
    sessionExpiryInterval: 60,
    subscriptions: [{ topicFilter: "q/#", qos: 1 }],
    snapshot: {
      version: 1,
      outbound: {
        inflight: [{ packetId: 9, state: "awaiting-pubcomp" }],
        queued: [message(0)],
        nextPacketId: 10,
      },
      inbound: { awaitingPubrel: [4] },
    },
  };
}

describe("session layout", () => {
  it("a session is a record hash, a queue list, an inflight hash with its order, an awaiting-PUBREL set", async () => {
    const { sessions, keyPrefix } = stores.open();
    await sessions.save(record("client:1"));
    const types = await Promise.all(
      ["s", "sq", "si", "so", "sa", "r:p"].map((tag) =>
        probe().type(`${keyPrefix}${tag}:client:1`),
      ),
    );
    expect(types).toStrictEqual(["hash", "list", "hash", "zset", "zset", "hash"]);
    expect(await probe().smembers(`${keyPrefix}sessions`)).toStrictEqual(["client:1"]);
    // A client id containing ":" names none of another client's keys.
    await sessions.save(record("1"));
    await sessions.delete("client:1");
    expect(await sessions.load("1")).toBeDefined();
  });

  it("dequeuing 1 of 10,000 queued messages trims the list and rewrites nothing", async () => {
    const { sessions, keyPrefix } = stores.open();
    await sessions.save(record("client-1"));
    const messages = Array.from({ length: 10_000 }, (_, index) => message(index + 1));
    await sessions.update("client-1", { enqueue: messages });
    const queue = `${keyPrefix}sq:client-1`;
    expect(await probe().llen(queue)).toBe(10_001);

    const before = await commandCalls(probe());
    await sessions.update("client-1", {
      dequeue: 1,
      putInflight: [{ packetId: 10, state: "awaiting-puback", message: message(0) }],
      nextPacketId: 11,
    });
    const after = await commandCalls(probe());
    // One LTRIM for the queue; no command that reads or writes the whole queue or record.
    expect(
      callsBetween(before, after, ["ltrim", "rpush", "lrange", "del", "lset", "hgetall"]),
    ).toStrictEqual({ ltrim: 1, rpush: 0, lrange: 0, del: 0, lset: 0, hgetall: 0 });
    expect(await probe().llen(queue)).toBe(10_000);
    expect([...((await probe().lindexBuffer(queue, 0)) ?? [])].slice(-2)).toStrictEqual([1, 0]);
    const loaded = await sessions.load("client-1");
    expect(loaded?.snapshot.outbound.queued).toHaveLength(10_000);
    expect(loaded?.snapshot.outbound.inflight.map((entry) => entry.packetId)).toStrictEqual([
      9, 10,
    ]);
  });

  it("a session larger than Lua's argument limits round-trips (commands are sent in chunks)", async () => {
    const { sessions } = stores.open();
    const large = record("client-1");
    large.snapshot.outbound.queued = Array.from({ length: 12_000 }, (_, index) => message(index));
    large.snapshot.outbound.inflight = Array.from({ length: 5_000 }, (_, index) => ({
      packetId: 5_001 - index,
      state: "awaiting-puback" as const,
      message: message(index),
    }));
    await sessions.save(large);
    await sessions.update("client-1", {
      enqueue: large.snapshot.outbound.queued,
      removeInflight: [5_000],
    });
    const loaded = await sessions.load("client-1");
    const queued = loaded?.snapshot.outbound.queued ?? [];
    expect(queued).toHaveLength(24_000);
    expect([queued[0]?.topic, queued[12_000]?.topic, queued[23_999]?.topic]).toStrictEqual([
      "q/0",
      "q/0",
      "q/11999",
    ]);
    const inflightIds = loaded?.snapshot.outbound.inflight.map((entry) => entry.packetId) ?? [];
    expect(inflightIds).toStrictEqual(
      Array.from({ length: 5_000 }, (_, index) => 5_001 - index).filter((id) => id !== 5_000),
    );
  });
});
