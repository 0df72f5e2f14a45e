import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ClusterError, openRedisCluster } from "../../src/index.js";
import {
  eventually,
  FAST_TIMING,
  RecordingNode,
  rejection,
  useTestCluster,
} from "./cluster-harness.js";

const { cluster } = useTestCluster();

describe("ownership and takeover", () => {
  it("a claim resolves only after the previous owner released the session", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    const log: string[] = [];
    a.node.log = log;
    await a.cluster.bus.claim("s1");
    a.node.held.add("s1");
    let releaseNow: () => void = () => {};
    a.node.releaseGate = new Promise((resolve) => {
      releaseNow = resolve;
    });

    const claimed = b.cluster.bus.claim("s1").then(() => log.push("b claimed s1"));
    await a.node.until(() => a.node.releaseCalls.includes("s1"), "a asked to release s1");
    expect(log).toEqual([]);
    releaseNow();
    await claimed;
    expect(log).toEqual(["a released s1", "b claimed s1"]);
    const redis = cluster.connection();
    expect(await redis.hget(`${cluster.keyPrefix}own`, "s1")).toBe("b");

    // The client comes back to a: b is asked in turn (no gate on b).
    await a.cluster.bus.claim("s1");
    expect(b.node.releaseCalls).toEqual(["s1"]);
  });

  it("claims without a handshake when there is no owner, or the owner is this node", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    await a.cluster.bus.claim("free");
    await a.cluster.bus.claim("free");
    await a.cluster.bus.release("free");
    await b.cluster.bus.claim("free");
    expect(a.node.releaseCalls).toEqual([]);
  });

  it("release only drops the ownership this node holds", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    await a.cluster.bus.claim("r1");
    await b.cluster.bus.claim("r1");
    await a.cluster.bus.release("r1"); // late release of a: b keeps it
    const redis = cluster.connection();
    expect(await redis.hget(`${cluster.keyPrefix}own`, "r1")).toBe("b");
    await b.cluster.bus.release("r1");
    expect(await redis.hget(`${cluster.keyPrefix}own`, "r1")).toBeNull();
  });

  it("rejects MQTT_ERR_CLUSTER_TAKEOVER_TIMEOUT when a live owner does not release", async () => {
    const timing = { ...FAST_TIMING, takeoverTimeoutMs: 300 };
    const [a, b] = await Promise.all([cluster.start("a", timing), cluster.start("b", timing)]);
    await a.cluster.bus.claim("stuck");
    a.node.held.add("stuck");
    a.node.releaseGate = new Promise(() => {});
    const error = await rejection(b.cluster.bus.claim("stuck"));
    expect(ClusterError.isClusterError(error)).toBe(true);
    expect(error).toMatchObject({ code: "MQTT_ERR_CLUSTER_TAKEOVER_TIMEOUT", nodeId: "a" });
    // The owner record names the node that still holds the session.
    const redis = cluster.connection();
    expect(await redis.hget(`${cluster.keyPrefix}own`, "stuck")).toBe("a");
  });

  it("records and clears wills under this node", async () => {
    const a = await cluster.start("a");
    const will = { topic: "w/a", payload: Buffer.from("bye"), qos: 1 as const, retain: false };
    await a.cluster.bus.setWill("c1", will);
    const redis = cluster.connection();
    expect(await redis.hexists(`${cluster.keyPrefix}w:a`, "c1")).toBe(1);
    await a.cluster.bus.setWill("c1", null);
    expect(await redis.hexists(`${cluster.keyPrefix}w:a`, "c1")).toBe(0);
  });
});

describe("membership", () => {
  it("refuses an invalid node id and an id whose heartbeat is live", async () => {
    expect(() => cluster.open("bad id!")).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_CLUSTER_NODE_ID" }),
    );
    expect(() => cluster.open("x".repeat(65))).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_CLUSTER_NODE_ID" }),
    );
    await cluster.start("same");
    const twin = cluster.open("same");
    const error = await rejection(twin.cluster.bus.start(twin.node));
    expect(error).toMatchObject({ code: "MQTT_ERR_CLUSTER_NODE_ID", nodeId: "same" });
  });

  it("start rejects MQTT_ERR_CLUSTER_UNAVAILABLE when Redis cannot be reached", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address() as AddressInfo;
        probe.close(() => resolve(address.port));
      });
    });
    const lonely = openRedisCluster({
      url: `redis://127.0.0.1:${closedPort}`,
      nodeId: "lonely",
      startTimeoutMs: 200,
    });
    try {
      const error = await rejection(lonely.bus.start(new RecordingNode("lonely")));
      expect(error).toMatchObject({ code: "MQTT_ERR_CLUSTER_UNAVAILABLE" });
      expect(lonely.bus.available).toBe(false);
    } finally {
      lonely.bus.abandon();
    }
  });

  it("counts live nodes and their clients from the heartbeats", async () => {
    const [a, b, c] = await Promise.all([
      cluster.start("a"),
      cluster.start("b"),
      cluster.start("c"),
    ]);
    a.node.clients = 1;
    b.node.clients = 2;
    c.node.clients = 4;
    await eventually(
      () => a.cluster.bus.stats().clientsConnected === 7 && a.cluster.bus.stats().nodes === 3,
      "a sees 3 nodes and 7 clients",
    );
    const report = JSON.parse(
      (await cluster.connection().get(`${cluster.keyPrefix}hb:c`)) ?? "null",
    ) as { clientsConnected: number; at: number };
    expect(report.clientsConnected).toBe(4);
    expect(typeof report.at).toBe("number");
  });

  it("a node leaving gracefully takes its routes, owners and membership along", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    b.cluster.bus.addCleanRoute("b/#");
    await b.cluster.bus.claim("owned-by-b");
    await eventually(() => a.cluster.bus.cachedNodeRoutes("b").size === 1, "a learns b/#");
    await b.cluster.close();
    await eventually(() => a.cluster.bus.cachedNodeRoutes("b").size === 0, "a forgets b/#");
    const redis = cluster.connection();
    expect(await redis.smembers(`${cluster.keyPrefix}nodes`)).toEqual(["a"]);
    expect(await redis.hget(`${cluster.keyPrefix}own`, "owned-by-b")).toBeNull();
    expect(await redis.exists(`${cluster.keyPrefix}hb:b`)).toBe(0);
    // The id is free again at once.
    await cluster.start("b");
    expect(a.node.orphanWills).toEqual([]);
  });

  it("a forgotten node loses the sessions another live node took meanwhile", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    for (const clientId of ["kept", "taken"]) {
      await a.cluster.bus.claim(clientId);
      a.node.held.add(clientId);
    }
    // As if a had been cut off and cleaned up, and "taken" had reconnected to b.
    const redis = cluster.connection();
    await redis.hset(`${cluster.keyPrefix}own`, "taken", "b");
    await redis.srem(`${cluster.keyPrefix}nodes`, "a");
    await a.node.until(() => a.node.lost.length === 1, "a loses a session");
    expect(a.node.lost).toEqual(["taken"]);
    expect(await redis.hget(`${cluster.keyPrefix}own`, "taken")).toBe("b");
    expect(await redis.hget(`${cluster.keyPrefix}own`, "kept")).toBe("a");
    expect(b.node.releaseCalls).toEqual([]);
  });

  it("a node that finds itself forgotten registers again and rewrites its routes", async () => {
    const [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
    a.cluster.bus.addCleanRoute("mine/#");
    await eventually(() => b.cluster.bus.cachedNodeRoutes("a").size === 1, "b learns mine/#");
    const redis = cluster.connection();
    await redis.srem(`${cluster.keyPrefix}nodes`, "a");
    await redis.del(`${cluster.keyPrefix}r:n:a`);
    await eventually(
      async () => (await redis.sismember(`${cluster.keyPrefix}nodes`, "a")) === 1,
      "a registered again",
    );
    await eventually(
      async () => (await redis.sismember(`${cluster.keyPrefix}r:n:a`, "mine/#")) === 1,
      "a's route rewritten",
    );
  });
});
