import type { Will } from "@ternmq/codec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RedisStores } from "../src/index.js";
import { emptyRecord, useRedisServer } from "./open-stores.js";
import { ChannelRecorder } from "./redis-probe.js";

const { server, probe, stores } = useRedisServer();
let stored: RedisStores;
let recorder: ChannelRecorder;
let events: string;
let controlA: string;
beforeEach(async () => {
  stored = stores.open();
  events = `${stored.keyPrefix}ev`;
  controlA = `${stored.keyPrefix}c:node-a`;
  recorder = new ChannelRecorder(server().url);
  await recorder.subscribe(events, controlA);
});
afterEach(async () => {
  recorder.close();
  await stores.closeAll();
});

/** The JSON messages published on `ev` and `c:node-a` since the last call. */
const published = () => recorder.takeUntil(probe(), events, [events, controlA]);
const key = (name: string) => `${stored.keyPrefix}${name}`;

const message = (topic: string, qos: 0 | 1 | 2 = 1) => ({
  topic,
  payload: Uint8Array.of(0, 255, qos),
  qos,
  retain: false,
  properties: { userProperties: [["k", "v"]] as [string, string][] },
});

/** Messages with their payloads as plain arrays (the store returns Buffer views). */
const plain = (messages: { payload: Uint8Array }[]) =>
  messages.map((entry) => ({ ...entry, payload: [...entry.payload] }));

const will = (topic: string): Will => ({
  topic,
  payload: Uint8Array.of(0, 128, 255),
  qos: 1,
  retain: false,
  properties: { willDelayInterval: 5, correlationData: Uint8Array.of(1, 2) },
});

/** A stored session subscribed to `filters`. */
const record = (clientId: string, filters: [string, 0 | 1 | 2][]) =>
  emptyRecord(
    clientId,
    filters.map(([topicFilter, qos]) => ({ topicFilter, qos })),
  );

describe("RedisClusterData", () => {
  it("inbox: push appends, read returns the oldest first with every field, trim drops the oldest", async () => {
    const { data } = stored;
    await Promise.all([
      data.inboxPush("client-1", message("one", 0)),
      data.inboxPush("client-1", message("two", 1)),
      data.inboxPush("client-1", message("three", 2)),
    ]);
    expect(plain(await data.inboxRead("client-1", 2))).toStrictEqual(
      plain([message("one", 0), message("two", 1)]),
    );
    await data.inboxTrim("client-1", 2);
    expect(plain(await data.inboxRead("client-1", 10))).toStrictEqual(plain([message("three", 2)]));
    expect(await data.inboxRead("client-1", 0)).toStrictEqual([]);
    expect(await data.inboxRead("nobody", 10)).toStrictEqual([]);
    // Nobody owns client-1: no notification.
    expect(await published()).toStrictEqual([]);
  });

  it("inboxPush notifies the owner on its control channel, once per client id per batch", async () => {
    const { data } = stored;
    await data.claimOwner("client-1", "node-a");
    await Promise.all([
      data.inboxPush("client-1", message("one")),
      data.inboxPush("client-1", message("two")),
    ]);
    await data.inboxPush("client-1", message("three"));
    expect(await published()).toStrictEqual([
      { channel: controlA, event: { t: "inbox", c: "client-1" } },
      { channel: controlA, event: { t: "inbox", c: "client-1" } },
    ]);
    await data.releaseOwner("client-1", "node-a");
    await data.inboxPush("client-1", message("four"));
    expect(await published()).toStrictEqual([]);
  });

  it("claimOwner returns the previous owner and moves the client id between own:{node} sets", async () => {
    const { data } = stored;
    expect(await data.claimOwner("client-1", "node-a")).toBe(undefined);
    expect(await data.claimOwner("client-1", "node-a")).toBe("node-a");
    expect(await data.claimOwner("client-1", "node-b")).toBe("node-a");
    expect(await probe().hget(key("own"), "client-1")).toBe("node-b");
    expect(await probe().smembers(key("own:node-a"))).toStrictEqual([]);
    expect(await probe().smembers(key("own:node-b"))).toStrictEqual(["client-1"]);
    // Only the owner releases.
    await data.releaseOwner("client-1", "node-a");
    expect(await probe().hget(key("own"), "client-1")).toBe("node-b");
    await data.releaseOwner("client-1", "node-b");
    expect(await probe().hget(key("own"), "client-1")).toBe(null);
    expect(await probe().smembers(key("own:node-b"))).toStrictEqual([]);
  });

  it("node routes: add and remove change r:n:{node} and publish ev n events", async () => {
    const { data } = stored;
    await data.addNodeRoute("node-a", "sensors/+/temp");
    await data.addNodeRoute("node-a", "alerts/#");
    await data.removeNodeRoute("node-a", "sensors/+/temp");
    expect(await probe().smembers(key("r:n:node-a"))).toStrictEqual(["alerts/#"]);
    expect(await published()).toStrictEqual([
      { channel: events, event: { t: "n", n: "node-a", f: "sensors/+/temp", a: 1 } },
      { channel: events, event: { t: "n", n: "node-a", f: "alerts/#", a: 1 } },
      { channel: events, event: { t: "n", n: "node-a", f: "sensors/+/temp", a: 0 } },
    ]);
  });

  it("forgetNode removes the node's routes, ownerships, wills and membership and returns its wills", async () => {
    const { data } = stored;
    await Promise.all([
      data.registerNode("node-a"),
      data.registerNode("node-b"),
      data.addNodeRoute("node-a", "a/#"),
      data.addNodeRoute("node-b", "b/#"),
      data.claimOwner("client-1", "node-a"),
      data.claimOwner("client-2", "node-a"),
      data.claimOwner("client-3", "node-b"),
      data.setWill("node-a", "client-1", will("wills/1")),
      data.setWill("node-a", "client-2", will("wills/2")),
      data.setWill("node-a", "client-2", null),
      data.setWill("node-b", "client-3", will("wills/3")),
    ]);
    await published();
    const wills = await data.forgetNode("node-a");
    expect(wills).toStrictEqual([{ clientId: "client-1", will: will("wills/1") }]);
    expect(await probe().smembers(key("nodes"))).toStrictEqual(["node-b"]);
    expect(await probe().hgetall(key("own"))).toStrictEqual({ "client-3": "node-b" });
    expect(
      await probe().exists(key("r:n:node-a"), key("own:node-a"), key("w:node-a"), key("hb:node-a")),
    ).toBe(0);
    expect(await probe().smembers(key("r:n:node-b"))).toStrictEqual(["b/#"]);
    expect(await probe().hkeys(key("w:node-b"))).toStrictEqual(["client-3"]);
    expect(await published()).toStrictEqual([
      { channel: events, event: { t: "gone", n: "node-a" } },
    ]);
    expect(await data.forgetNode("node-a")).toStrictEqual([]);
  });

  it("liveNodes lists the registered nodes whose heartbeat key exists", async () => {
    const { data } = stored;
    await Promise.all([data.registerNode("node-a"), data.registerNode("node-b")]);
    expect(await data.liveNodes()).toStrictEqual([]);
    await probe().set(key("hb:node-b"), "{}", "PX", 60_000);
    await probe().set(key("hb:node-c"), "{}", "PX", 60_000);
    expect(await data.liveNodes()).toStrictEqual(["node-b"]);
  });

  it("session writes keep the persistent route table and publish ev p with the whole list", async () => {
    const { sessions, data } = stored;
    await sessions.save(
      record("client-1", [
        ["a/+", 1],
        ["b/#", 2],
        ["a/+", 0],
      ]),
    );
    await sessions.save(record("client-2", []));
    expect(await probe().hgetall(key("r:p:client-1"))).toStrictEqual({ "a/+": "1", "b/#": "2" });
    expect(await probe().smembers(key("r:pc"))).toStrictEqual(["client-1"]);
    await sessions.update("client-1", {
      subscriptions: [{ topicFilter: "c", qos: 0 }],
      updatedAt: 2,
    });
    await sessions.update("client-1", { updatedAt: 3 });
    await data.inboxPush("client-1", message("waiting"));
    await sessions.delete("client-1");
    await sessions.delete("never-saved");
    expect(await published()).toStrictEqual([
      {
        channel: events,
        event: {
          t: "p",
          c: "client-1",
          s: [
            ["a/+", 1],
            ["b/#", 2],
          ],
        },
      },
      { channel: events, event: { t: "p", c: "client-2", s: [] } },
      { channel: events, event: { t: "p", c: "client-1", s: [["c", 0]] } },
      { channel: events, event: { t: "p", c: "client-1", s: [] } },
    ]);
    expect(await probe().exists(key("r:p:client-1"), key("in:client-1"))).toBe(0);
    expect(await probe().smembers(key("r:pc"))).toStrictEqual([]);
  });

  it("loadRoutes returns every node's clean routes and every persistent route table", async () => {
    const { sessions, data } = stored;
    const clientIds = Array.from({ length: 1200 }, (_, index) => `client-${index}`);
    await Promise.all([
      data.registerNode("node-a"),
      data.registerNode("node-b"),
      data.addNodeRoute("node-a", "x/#"),
      data.addNodeRoute("node-a", "y"),
      ...clientIds.map((clientId, index) =>
        sessions.save(record(clientId, [[`t/${index}`, (index % 3) as 0 | 1 | 2]])),
      ),
      sessions.save(record("no-routes", [])),
    ]);
    const routes = await data.loadRoutes();
    expect([...routes.nodeRoutes].map(([node, filters]) => [node, filters.sort()])).toStrictEqual([
      ["node-a", ["x/#", "y"]],
    ]);
    expect(routes.persistentRoutes.size).toBe(1200);
    expect(routes.persistentRoutes.get("client-7")).toStrictEqual([["t/7", 1]]);
    expect(routes.persistentRoutes.has("no-routes")).toBe(false);
  });

  it("after close every op rejects with MQTT_ERR_STORE_CLOSED", async () => {
    const { data } = stored;
    await data.close();
    const codes = await Promise.all(
      [
        data.inboxPush("c", message("m")),
        data.inboxRead("c", 1),
        data.inboxTrim("c", 1),
        data.claimOwner("c", "n"),
        data.releaseOwner("c", "n"),
        data.addNodeRoute("n", "f"),
        data.removeNodeRoute("n", "f"),
        data.setWill("n", "c", null),
        data.registerNode("n"),
        data.forgetNode("n"),
        data.loadRoutes(),
        data.liveNodes(),
      ].map((promise) =>
        promise.then(
          () => "resolved",
          (error: unknown) => (error as { code?: unknown }).code,
        ),
      ),
    );
    expect(new Set(codes)).toStrictEqual(new Set(["MQTT_ERR_STORE_CLOSED"]));
  });
});
