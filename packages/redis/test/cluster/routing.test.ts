import type { StoredSubscription } from "@ternmq/session";
import { describe, expect, it } from "vitest";
import { eventually, message, type TestNode, text, useTestCluster } from "./cluster-harness.js";

/** A stored persistent session with `subscriptions` and nothing else. */
function record(clientId: string, subscriptions: StoredSubscription[]) {
  return {
    clientId,
    createdAt: 1,
    updatedAt: 1,
    sessionExpiryInterval: 0xffff_ffff,
    subscriptions,
    snapshot: {
      version: 1 as const,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  };
}

const { cluster } = useTestCluster();

async function routeKnown(by: TestNode, of: TestNode, filter: string): Promise<void> {
  await eventually(
    () => by.cluster.bus.cachedNodeRoutes(of.name).has(filter),
    `${by.name} knows ${of.name}'s route ${filter}`,
  );
}

describe("clean routes: a PUBLISH crosses only to the nodes that need it", () => {
  it("sends a message to exactly the nodes with a matching clean route", async () => {
    const [a, b, c] = await Promise.all([
      cluster.start("a"),
      cluster.start("b"),
      cluster.start("c"),
    ]);
    const framesToB = await cluster.listen(`${cluster.keyPrefix}m:b`);
    const framesToC = await cluster.listen(`${cluster.keyPrefix}m:c`);
    b.cluster.bus.addCleanRoute("sensors/+/temp");
    c.cluster.bus.addCleanRoute("other/#");
    await routeKnown(a, b, "sensors/+/temp");
    await routeKnown(a, c, "other/#");

    expect(a.cluster.bus.forward(message("sensors/1/temp", "21.5", 1))).toBeUndefined();
    await b.node.until(() => b.node.delivered.length === 1, "b receives the message");
    expect(b.node.delivered[0]).toMatchObject({ topic: "sensors/1/temp", qos: 1, retain: false });
    expect(text(b.node.delivered)).toEqual(["sensors/1/temp=21.5"]);

    // A marker for c, sent after: frames from one node arrive in order, so once c has the
    // marker, anything sent to c before it would have arrived too.
    a.cluster.bus.forward(message("other/marker", "m"));
    await c.node.until(() => c.node.delivered.length === 1, "c receives the marker");
    expect(text(c.node.delivered)).toEqual(["other/marker=m"]);
    expect(framesToC).toHaveLength(1);
    expect(framesToB).toHaveLength(1);
    expect(a.node.delivered).toEqual([]);
    expect(a.cluster.bus.stats()).toMatchObject({ messagesForwarded: 2, inboxAppended: 0 });
    expect(b.cluster.bus.stats().messagesReceived).toBe(1);
  });

  it("batches every message of one turn into ONE frame (one PUBLISH) per node", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    const framesToB = await cluster.listen(`${cluster.keyPrefix}m:b`);
    // Two matching filters: b still gets each message once.
    b.cluster.bus.addCleanRoute("load/#");
    b.cluster.bus.addCleanRoute("load/+");
    await routeKnown(a, b, "load/#");
    await routeKnown(a, b, "load/+");
    const framesBefore = a.cluster.bus.framesSent;

    for (let index = 0; index < 500; index++) {
      a.cluster.bus.forward({
        topic: "load/x",
        payload: Buffer.from(String(index)),
        qos: (index % 3) as 0 | 1 | 2,
        retain: index % 2 === 0,
      });
    }
    await b.node.until(() => b.node.delivered.length === 500, "b receives 500 messages");
    expect(b.node.delivered.map((entry) => Buffer.from(entry.payload).toString())).toEqual(
      Array.from({ length: 500 }, (_, index) => String(index)),
    );
    expect(b.node.delivered[7]).toMatchObject({ qos: 1, retain: false });
    expect(b.node.delivered[8]).toMatchObject({ qos: 2, retain: true });
    expect(a.cluster.bus.framesSent - framesBefore).toBe(1);
    expect(framesToB).toHaveLength(1);
    expect(a.cluster.bus.stats().messagesForwarded).toBe(500);
  });

  it("splits a turn's frame at 1 MiB, below Redis' pub/sub output buffer limit", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    const framesToB = await cluster.listen(`${cluster.keyPrefix}m:b`);
    b.cluster.bus.addCleanRoute("big");
    await routeKnown(a, b, "big");
    const payload = Buffer.alloc(600 * 1024, 7);
    for (let index = 0; index < 3; index++) a.cluster.bus.forward(message("big", "", 1));
    for (let index = 0; index < 3; index++) {
      a.cluster.bus.forward({ topic: "big", payload, qos: 0, retain: false });
    }
    await b.node.until(() => b.node.delivered.length === 6, "b receives 6 messages");
    expect(
      b.node.delivered.slice(3).every((entry) => entry.payload.byteLength === payload.length),
    ).toBe(true);
    // The test's own subscriber connection may see the second frame after b delivered it.
    await eventually(() => framesToB.length === 2, "the listener sees both frames");
    expect(framesToB.map((frame) => frame.byteLength > 1024 * 1024)).toEqual([true, false]);
  });

  it("syncRoutes resolves once the other nodes applied the new route: a PUBLISH right after it is delivered", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    await eventually(() => b.cluster.bus.stats().nodes === 2, "b sees both nodes live");
    for (let round = 0; round < 20; round++) {
      b.cluster.bus.addCleanRoute(`late/${round}`);
      await b.cluster.bus.syncRoutes();
      expect(a.cluster.bus.cachedNodeRoutes("b").has(`late/${round}`)).toBe(true);
      a.cluster.bus.forward(message(`late/${round}`, "x", 1));
    }
    await b.node.until(() => b.node.delivered.length === 20, "b receives all 20");
  });

  it("writes a node route to Redis only when its local count goes 0 -> 1 and 1 -> 0", async () => {
    const [a] = await Promise.all([cluster.start("a")]);
    const events = await cluster.listen(`${cluster.keyPrefix}ev`);
    const routeEvents = (): string[] =>
      events
        .map((event) => JSON.parse(event.toString()) as { t: string; f?: string; a?: number })
        .filter((event) => event.t === "n")
        .map((event) => `${event.f}:${event.a}`);
    const bus = a.cluster.bus;
    bus.addCleanRoute("x/y");
    bus.addCleanRoute("x/y");
    bus.removeCleanRoute("x/y");
    bus.addCleanRoute("marker/1");
    await eventually(() => routeEvents().length === 2, "two route events");
    expect(routeEvents()).toEqual(["x/y:1", "marker/1:1"]);
    bus.removeCleanRoute("x/y");
    bus.removeCleanRoute("x/y"); // one more than added: ignored
    bus.addCleanRoute("marker/2");
    await eventually(() => routeEvents().length === 4, "four route events");
    expect(routeEvents()).toEqual(["x/y:1", "marker/1:1", "x/y:0", "marker/2:1"]);
    const redis = cluster.connection();
    expect((await redis.smembers(`${cluster.keyPrefix}r:n:a`)).sort()).toEqual([
      "marker/1",
      "marker/2",
    ]);
  });

  it("loads the routes that exist before a node starts", async () => {
    const a = await cluster.start("a");
    a.cluster.bus.addCleanRoute("early/#");
    await a.cluster.sessions.save(record("early-client", [{ topicFilter: "early/p", qos: 1 }]));
    const b = await cluster.start("b");
    expect([...b.cluster.bus.cachedNodeRoutes("a")]).toEqual(["early/#"]);
    expect(b.cluster.bus.cachedPersistentRoutes("early-client")).toEqual([["early/p", 1]]);
  });
});

describe("persistent routes: inbox of sessions the publishing node does not hold", () => {
  it("pushes once per session at min(publish QoS, highest granted QoS), retain 0", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    const sessions = a.cluster.sessions;
    await sessions.save(
      record("p-high", [
        { topicFilter: "t/#", qos: 1 },
        { topicFilter: "t/x", qos: 2 },
      ]),
    );
    await sessions.save(record("p-low", [{ topicFilter: "t/+", qos: 0 }]));
    await sessions.save(record("p-held", [{ topicFilter: "t/x", qos: 2 }]));
    a.node.held.add("p-held");
    await eventually(
      () => a.cluster.bus.cachedPersistentRoutes("p-held").length === 1,
      "a knows the persistent routes",
    );
    // b owns p-high: it is told when its inbox grows.
    await b.cluster.bus.claim("p-high");

    const write = a.cluster.bus.forward({ ...message("t/x", "hello", 2), retain: true });
    expect(write).toBeInstanceOf(Promise);
    await write;
    await a.cluster.bus.forward(message("t/x", "second", 1));
    expect(a.cluster.bus.forward(message("nobody/listens", "x", 2))).toBeUndefined();

    const high = await a.cluster.bus.readInbox("p-high", 10);
    expect(high.map((entry) => [Buffer.from(entry.payload).toString(), entry.qos])).toEqual([
      ["hello", 2],
      ["second", 1],
    ]);
    expect(high.every((entry) => entry.retain === false && entry.topic === "t/x")).toBe(true);
    const low = await a.cluster.bus.readInbox("p-low", 10);
    expect(low.map((entry) => entry.qos)).toEqual([0, 0]);
    expect(await a.cluster.bus.readInbox("p-held", 10)).toEqual([]);
    expect(a.cluster.bus.stats().inboxAppended).toBe(4);
    await b.node.until(() => b.node.inboxChanges.includes("p-high"), "b told of its inbox");

    await b.cluster.bus.trimInbox("p-high", 1);
    const rest = await b.cluster.bus.readInbox("p-high", 10);
    expect(rest.map((entry) => Buffer.from(entry.payload).toString())).toEqual(["second"]);
  });

  it("follows subscription changes of persistent sessions (ev events)", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    await b.cluster.sessions.save(record("moving", [{ topicFilter: "old/t", qos: 1 }]));
    await eventually(
      () => a.cluster.bus.cachedPersistentRoutes("moving").length === 1,
      "a learns the first subscription",
    );
    await b.cluster.sessions.update("moving", {
      subscriptions: [{ topicFilter: "new/t", qos: 2 }],
    });
    await eventually(
      () => a.cluster.bus.cachedPersistentRoutes("moving")[0]?.[0] === "new/t",
      "a learns the change",
    );
    expect(a.cluster.bus.forward(message("old/t", "x", 1))).toBeUndefined();
    await a.cluster.bus.forward(message("new/t", "y", 1));
    expect((await a.cluster.bus.readInbox("moving", 10)).map((entry) => entry.topic)).toEqual([
      "new/t",
    ]);
    await b.cluster.sessions.delete("moving");
    await eventually(
      () => a.cluster.bus.cachedPersistentRoutes("moving").length === 0,
      "a forgets the deleted session",
    );
  });
});
