// The README example, run as written (console output captured in `log`), against the test
// server instead of `REDIS_URL`.
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRedisStores } from "../src/index.js";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.close());

it("README: the writes of one PUBLISH are one Redis call and are back after a reopen", async () => {
  const log: unknown[][] = [];
  const console = { log: (...values: unknown[]) => log.push(values) };
  const url = server.url;

  const stores = openRedisStores({ url, keyPrefix: "example:" });
  await stores.sessions.save({
    clientId: "dashboard",
    createdAt: Date.now(),
    updatedAt: Date.now(),
    sessionExpiryInterval: 0xffffffff,
    subscriptions: [{ topicFilter: "sensors/+/temp", qos: 1 }],
    snapshot: {
      version: 1,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  });

  // The writes of one PUBLISH, called in one synchronous stretch: ONE atomic Redis call.
  const payload = new TextEncoder().encode("21.5");
  await Promise.all([
    stores.retained.set({
      topic: "sensors/1/temp",
      payload,
      qos: 1,
      retain: true,
      receivedAt: Date.now(),
    }),
    stores.sessions.update("dashboard", {
      enqueue: [{ topic: "sensors/1/temp", payload, qos: 1, retain: false }],
    }),
  ]);
  await stores.close();

  // Another process (or another broker node) sees the same data.
  const reopened = openRedisStores({ url, keyPrefix: "example:" });
  const session = await reopened.sessions.load("dashboard");
  console.log(session?.snapshot.outbound.queued.length); // 1
  for await (const message of reopened.retained.match("sensors/#")) {
    console.log(message.topic, new TextDecoder().decode(message.payload)); // sensors/1/temp 21.5
  }
  console.log(await reopened.retained.count()); // 1
  await Promise.all([
    reopened.sessions.delete("dashboard"),
    reopened.retained.delete("sensors/1/temp"),
  ]);
  await reopened.close();

  expect(log).toStrictEqual([[1], ["sensors/1/temp", "21.5"], [1]]);
});
