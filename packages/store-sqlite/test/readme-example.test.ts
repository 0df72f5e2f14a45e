// The README example, run as written (console output captured in `log`, the folder removed).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";

it("README: the writes of one PUBLISH commit together and are back after a reopen", async () => {
  const log: unknown[][] = [];
  const console = { log: (...values: unknown[]) => log.push(values) };
  const directory = mkdtempSync(join(tmpdir(), "ternmq-example-"));
  try {
    const store = openSqliteStore({ directory }); // durability "fsync", commit per event-loop turn

    await store.sessions.save({
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

    // The writes of one PUBLISH, called in one synchronous stretch: ONE transaction, ONE fsync.
    const payload = new TextEncoder().encode("21.5");
    await Promise.all([
      store.retained.set({
        topic: "sensors/1/temp",
        payload,
        qos: 1,
        retain: true,
        receivedAt: Date.now(),
      }),
      store.sessions.update("dashboard", {
        enqueue: [{ topic: "sensors/1/temp", payload, qos: 1, retain: false }],
      }),
    ]);
    await store.close();

    // After a restart (or a kill -9 after the promises resolved), everything is back.
    const reopened = openSqliteStore({ directory });
    const session = await reopened.sessions.load("dashboard");
    console.log(session?.snapshot.outbound.queued.length); // 1
    for await (const message of reopened.retained.match("sensors/#")) {
      console.log(message.topic, new TextDecoder().decode(message.payload)); // sensors/1/temp 21.5
    }
    console.log(await reopened.retained.count()); // 1
    await reopened.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  expect(log).toStrictEqual([[1], ["sensors/1/temp", "21.5"], [1]]);
});
