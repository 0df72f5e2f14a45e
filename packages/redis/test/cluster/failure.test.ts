import { describe, expect, it } from "vitest";
import {
  eventually,
  FAST_TIMING,
  message,
  rejection,
  text,
  useTestCluster,
} from "./cluster-harness.js";

const { server, cluster } = useTestCluster();

describe("a node that dies", () => {
  it("is cleaned up by exactly one live node, which publishes its wills once", async () => {
    const [a, b, dead] = await Promise.all([
      cluster.start("a"),
      cluster.start("b"),
      cluster.start("dead"),
    ]);
    dead.cluster.bus.addCleanRoute("dead/#");
    const will = {
      topic: "status/w1",
      payload: Buffer.from("gone"),
      qos: 1 as const,
      retain: true,
    };
    await dead.cluster.bus.setWill("w1", will);
    await dead.cluster.bus.setWill("w2", { ...will, topic: "status/w2" });
    await dead.cluster.bus.claim("owned-by-dead");
    await eventually(
      () => a.cluster.bus.cachedNodeRoutes("dead").size === 1,
      "a learns the route of dead",
    );
    // b waits for a takeover answer that will never come: the death ends the wait.
    dead.node.held.add("owned-by-dead");
    dead.node.releaseGate = new Promise(() => {});
    const timing = { ...FAST_TIMING, takeoverTimeoutMs: 60_000 };
    const c = await cluster.start("c", timing);
    const claim = c.cluster.bus.claim("owned-by-dead");
    await dead.node.until(() => dead.node.releaseCalls.length === 1, "dead asked to release");

    dead.cluster.bus.abandon(); // as kill -9 would: no goodbye
    await claim;

    await eventually(
      () =>
        a.cluster.bus.cachedNodeRoutes("dead").size === 0 &&
        b.cluster.bus.cachedNodeRoutes("dead").size === 0,
      "every live node dropped the routes of dead",
    );
    const wills = [...a.node.orphanWills, ...b.node.orphanWills, ...c.node.orphanWills];
    expect(wills.map((entry) => entry.clientId).sort()).toEqual(["w1", "w2"]);
    expect(wills.find((entry) => entry.clientId === "w1")?.will).toMatchObject({
      topic: "status/w1",
      qos: 1,
      retain: true,
    });
    const cleaners = [a, b, c].filter((node) => node.node.orphanWills.length > 0);
    expect(cleaners).toHaveLength(1);
    const redis = cluster.connection();
    expect((await redis.smembers(`${cluster.keyPrefix}nodes`)).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.hget(`${cluster.keyPrefix}own`, "owned-by-dead")).toBe("c");
    await eventually(() => a.cluster.bus.stats().nodes === 3, "a counts 3 live nodes");
  });

  it("a restarted node cleans up after its own previous life", async () => {
    const a = await cluster.start("a");
    const first = await cluster.start("phoenix");
    await first.cluster.bus.setWill("pw", {
      topic: "status/pw",
      payload: Buffer.from("x"),
      qos: 0,
      retain: false,
    });
    first.cluster.bus.addCleanRoute("old/#");
    await eventually(() => a.cluster.bus.cachedNodeRoutes("phoenix").size === 1, "a learns old/#");
    first.cluster.bus.abandon();
    // Back before anybody noticed; the heartbeat of the old life has expired.
    const redis = cluster.connection();
    await eventually(
      async () => (await redis.exists(`${cluster.keyPrefix}hb:phoenix`)) === 0,
      "the old heartbeat expired",
    );
    const second = await cluster.start("phoenix");
    const wills = [...a.node.orphanWills, ...second.node.orphanWills];
    expect(wills.map((entry) => entry.clientId)).toEqual(["pw"]);
    expect(await redis.smembers(`${cluster.keyPrefix}r:n:phoenix`)).toEqual([]);
  });
});

describe("Redis unavailable", () => {
  it("reports the outage, refuses claims, drops frames, and recovers by itself", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    a.node.held.add("held-by-a");
    await a.cluster.bus.claim("held-by-a");
    b.cluster.bus.addCleanRoute("before/#");
    await eventually(() => a.cluster.bus.cachedNodeRoutes("b").size === 1, "a learns before/#");
    await b.cluster.sessions.save({
      clientId: "offline",
      createdAt: 1,
      updatedAt: 1,
      sessionExpiryInterval: 0xffff_ffff,
      subscriptions: [{ topicFilter: "before/#", qos: 1 }],
      snapshot: {
        version: 1,
        outbound: { inflight: [], queued: [], nextPacketId: 1 },
        inbound: { awaitingPubrel: [] },
      },
    });
    await eventually(
      () => a.cluster.bus.cachedPersistentRoutes("offline").length === 1,
      "a learns the persistent route",
    );

    await server().kill(); // no persistence: Redis comes back empty
    await a.node.until(() => a.node.availability.at(-1) === false, "a sees the outage");
    await b.node.until(() => b.node.availability.at(-1) === false, "b sees the outage");
    expect(a.cluster.bus.available).toBe(false);
    const refused = await rejection(a.cluster.bus.claim("someone"));
    expect(refused).toMatchObject({ code: "MQTT_ERR_CLUSTER_UNAVAILABLE", clientId: "someone" });
    // The frame for b's clean session is dropped; the inbox push waits for Redis.
    const inboxWrite = a.cluster.bus.forward(message("before/lost", "x", 1));
    expect(inboxWrite).toBeInstanceOf(Promise);
    await eventually(() => a.cluster.bus.messagesDropped === 1, "the frame is dropped");

    await server().start();
    await a.node.until(() => a.node.availability.at(-1) === true, "a sees Redis again");
    await b.node.until(() => b.node.availability.at(-1) === true, "b sees Redis again");
    expect(a.node.availability).toEqual([false, true]);
    await inboxWrite;
    const inbox = await a.cluster.bus.readInbox("offline", 10);
    expect(inbox.map((entry) => [entry.topic, entry.qos])).toEqual([["before/lost", 1]]);
    // b rewrote its route into the empty Redis, and a reloaded or heard it.
    const redis = cluster.connection();
    await eventually(
      async () => (await redis.sismember(`${cluster.keyPrefix}r:n:b`, "before/#")) === 1,
      "b rewrote its route",
    );
    await eventually(() => a.cluster.bus.cachedNodeRoutes("b").size === 1, "a knows before/#");
    a.cluster.bus.forward(message("before/after", "y"));
    await b.node.until(() => b.node.delivered.length === 1, "b receives after the outage");
    expect(text(b.node.delivered)).toEqual(["before/after=y"]);
    // a re-claimed the session it holds, and both are members again.
    await eventually(
      async () => (await redis.hget(`${cluster.keyPrefix}own`, "held-by-a")) === "a",
      "a owns held-by-a again",
    );
    expect((await redis.smembers(`${cluster.keyPrefix}nodes`)).sort()).toEqual(["a", "b"]);
    expect(a.node.lost).toEqual([]);
    await a.cluster.bus.claim("someone");
  });
});
