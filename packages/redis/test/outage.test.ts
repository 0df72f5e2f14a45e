import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openRedisStores, type RedisStores } from "../src/index.js";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";
import { emptyRecord, TestStores } from "./open-stores.js";

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer({ appendOnly: true });
});
afterAll(() => server.close());
const stores = new TestStores(() => server.url);
afterEach(async () => {
  if (!server.running) await server.start();
  await stores.closeAll();
});

const message = (topic: string) => ({
  topic,
  payload: Uint8Array.of(1, 2, 3),
  qos: 1 as const,
  retain: false,
});

function nextEvent(stored: RedisStores, event: "ready" | "close"): Promise<void> {
  return new Promise((resolve) => {
    const listener = () => {
      stored.off(event, listener);
      resolve();
    };
    stored.on(event, listener);
  });
}

/** Resolves when ioredis schedules its next reconnection attempt (Redis still down). */
function nextReconnectAttempt(stored: RedisStores): Promise<void> {
  return new Promise((resolve) => stored.redis.once("reconnecting", () => resolve()));
}

describe("Redis outage", () => {
  it("writes called while Redis is down wait, then complete exactly once after it returns", async () => {
    const stored = stores.open();
    const { sessions, data } = stored;
    await sessions.save(emptyRecord("client-1"));
    expect(stored.ready).toBe(true);
    const closed = nextEvent(stored, "close");
    await server.kill();
    await closed;
    expect(stored.ready).toBe(false);

    let settled = 0;
    const writes = [
      data.inboxPush("client-2", message("during-outage")),
      sessions.update("client-1", { enqueue: [message("queued-during-outage")] }),
    ].map((write) => write.finally(() => settled++));
    await nextReconnectAttempt(stored);
    await nextReconnectAttempt(stored);
    expect(settled).toBe(0);

    const ready = nextEvent(stored, "ready");
    await server.start();
    await ready;
    await Promise.all(writes);
    expect(stored.ready).toBe(true);
    expect(await data.inboxRead("client-2", 10)).toHaveLength(1);
    const queued = (await sessions.load("client-1"))?.snapshot.outbound.queued;
    expect(queued?.map((entry) => entry.topic)).toStrictEqual(["queued-during-outage"]);
  });

  it("a batch sent just before Redis dies is applied exactly once after it returns", async () => {
    const stored = stores.open();
    const { data } = stored;
    await data.registerNode("node-a");
    for (let round = 0; round < 6; round++) {
      const pushed = data.inboxPush("client-1", message(`round-${round}`));
      // Let the batch go out (it is sent at the end of this turn), then kill Redis at once:
      // it may or may not have applied the batch before dying.
      await new Promise((resolve) => setImmediate(resolve));
      await server.kill();
      await server.start();
      await pushed;
    }
    const inbox = await data.inboxRead("client-1", 10);
    expect(inbox.map((entry) => entry.topic)).toStrictEqual(
      Array.from({ length: 6 }, (_, round) => `round-${round}`),
    );
  });

  it("the stores close after Redis came back; data written before the outage is still there", async () => {
    const first = stores.open();
    await first.retained.set({ ...message("kept"), retain: true, receivedAt: 1 });
    await server.kill();
    await server.start();
    await first.close();
    const reopened = stores.open(first.keyPrefix);
    expect((await reopened.retained.get("kept"))?.receivedAt).toBe(1);
  });

  it("an outage is logged once when it starts and once when it ends; close is not an outage", async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const stored = openRedisStores({ url: server.url, keyPrefix: "logged:", logger });
    try {
      await stored.data.registerNode("node-a");
      await server.kill();
      await nextReconnectAttempt(stored);
      await nextReconnectAttempt(stored);
      const ready = nextEvent(stored, "ready");
      await server.start();
      await ready;
    } finally {
      await stored.close();
    }
    expect(lines.map((line) => line.level)).toStrictEqual([40, 30]);
  });
});
