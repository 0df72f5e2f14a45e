// The README example of "Journaling for durable stores", run as written (console output
// captured in `log`).
import { expect, it } from "vitest";
import { MemorySessionStore, ServerSession, type Step } from "../src/index.js";

it("README: a journaling session persisted through a store, resumed from the stored snapshot", async () => {
  const log: unknown[][] = [];
  const console = { log: (...values: unknown[]) => log.push(values) };

  const store = new MemorySessionStore(); // a durable store (SQLite) in a real broker
  const session = new ServerSession({ journal: true, inflightWindow: 1 });
  await store.save({
    clientId: "lamp",
    createdAt: 0,
    updatedAt: 0,
    sessionExpiryInterval: 0xffff_ffff,
    subscriptions: [],
    snapshot: session.snapshot(),
  });

  const wire: string[] = [];
  // Persist first, then write: the packets of a Step leave only once its changes are durable.
  async function run(step: Step): Promise<void> {
    if (step.changes !== undefined) await store.update("lamp", step.changes);
    for (const packet of step.send) {
      wire.push(`${packet.type} ${"packetId" in packet ? packet.packetId : ""}`);
    }
  }

  // The client is offline: both messages are queued.
  const payload = new TextEncoder().encode("on");
  const first = session.publish({ topic: "lamp/set", payload, qos: 1, retain: false }, 0);
  console.log(first.changes?.enqueue?.length); // 1
  await run(first);
  await run(session.publish({ topic: "lamp/set", payload, qos: 2, retain: false }, 0));

  // It comes back: the first message moves from the queue to the window in one change.
  const resumed = session.connected(1, { sessionPresent: true });
  console.log(resumed.changes?.dequeue, resumed.changes?.putInflight?.[0]?.state);
  // 1 awaiting-puback
  await run(resumed);
  await run(session.handlePacket({ type: "puback", packetId: 1 }, 2));

  // A QoS 2 PUBLISH from the client: route it, then acknowledge; the PUBREC goes out only
  // after the id awaiting PUBREL is stored.
  session.handlePacket(
    {
      type: "publish",
      topic: "lamp/state",
      payload,
      qos: 2,
      retain: false,
      dup: false,
      packetId: 7,
    },
    3,
  );
  const acknowledged = session.acknowledge(7, 3);
  console.log(acknowledged.changes?.addAwaitingPubrel); // [ 7 ]
  await run(acknowledged);
  console.log(wire); // [ "publish 1", "publish 2", "pubrec 7" ]

  // After a crash, the stored snapshot resumes the session exactly.
  const record = await store.load("lamp");
  if (record !== undefined) {
    const restored = ServerSession.fromSnapshot(record.snapshot, { journal: true });
    console.log(restored.snapshot().outbound.inflight.map((entry) => entry.packetId)); // [ 2 ]
    console.log(restored.snapshot().inbound.awaitingPubrel); // [ 7 ]
  }

  expect(log).toEqual([
    [1],
    [1, "awaiting-puback"],
    [[7]],
    [["publish 1", "publish 2", "pubrec 7"]],
    [[2]],
    [[7]],
  ]);
});
