import { afterEach, describe, expect, it } from "vitest";
import { bytes, Harness } from "./helpers/harness.js";
import { publishAcked, publishPacket, subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("BrokerInspector", () => {
  it("lists connected clients with their connection and session details", async () => {
    const { broker, port } = await t.broker();
    const client = await t.client(port, {
      clientId: "sensor-1",
      keepalive: 30,
      username: "alice",
      clean: false,
    });
    await subscribe(client, [
      ["a/#", 1],
      ["b", 0],
    ]);
    const details = broker.inspector.client("sensor-1");
    expect(details).toMatchObject({
      clientId: "sensor-1",
      connected: true,
      persistent: true,
      username: "alice",
      remoteAddress: "127.0.0.1",
      protocolVersion: 4,
      keepaliveSeconds: 30,
      inflight: 0,
      queued: 0,
    });
    expect(details?.connectedAt).toBeTypeOf("number");
    expect(details?.subscriptions).toEqual([
      { topicFilter: "a/#", qos: 1 },
      { topicFilter: "b", qos: 0 },
    ]);
    expect(broker.inspector.clients().map((entry) => entry.clientId)).toEqual(["sensor-1"]);
  });

  it("counts PUBLISH received and sent by QoS, with payload bytes", async () => {
    const { broker, port } = await t.broker();
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, [["t/#", 2]]);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publishPacket("t/0", "abc", 0));
    await subscriber.expect("publish");
    await publishAcked(publisher, "t/1", "hello");
    await subscriber.expect("publish");
    const traffic = broker.inspector.traffic;
    expect(traffic.received).toEqual([1, 1, 0]);
    expect(traffic.receivedBytes).toEqual([3, 5, 0]);
    expect(traffic.sent).toEqual([1, 1, 0]);
    expect(traffic.sentBytes).toEqual([3, 5, 0]);
  });

  it("counts inflight and queued messages of an offline persistent session", async () => {
    const { broker, port } = await t.broker();
    const offline = await t.client(port, { clientId: "offline", clean: false });
    await subscribe(offline, [["q", 1]]);
    offline.destroy();
    await offline.waitClosed();
    await new Promise<void>((resolve) => {
      if (broker.inspector.client("offline")?.connected === false) resolve();
      else broker.once("client-disconnected", () => resolve());
    });
    const publisher = await t.client(port, { clientId: "pub" });
    await publishAcked(publisher, "q", "1", { packetId: 1 });
    await publishAcked(publisher, "q", "22", { packetId: 2 });
    expect(broker.inspector.client("offline")).toMatchObject({ connected: false, queued: 2 });
    expect(broker.inspector.totals()).toEqual({ inflight: 0, queued: 2, queuedBytes: 5 });
  });

  it("disconnect() closes the client with reason admin-disconnect and publishes its will", async () => {
    const { broker, port } = await t.broker();
    const watcher = await t.client(port, { clientId: "watcher" });
    await subscribe(watcher, [["wills/#", 0]]);
    const victim = await t.client(port, {
      clientId: "victim",
      will: { topic: "wills/victim", payload: bytes("gone"), qos: 0, retain: false },
    });
    const reasons: string[] = [];
    broker.on("client-disconnected", (client, reason) =>
      reasons.push(`${client.clientId}:${reason}`),
    );
    expect(broker.inspector.disconnect("victim")).toBe(true);
    await victim.waitClosed();
    expect((await watcher.expect("publish")).topic).toBe("wills/victim");
    expect(reasons).toEqual(["victim:admin-disconnect"]);
    expect(broker.inspector.disconnects.get("admin-disconnect")).toBe(1);
    expect(broker.inspector.disconnect("victim")).toBe(false);
  });

  it("lists retained topics, listeners and the store state", async () => {
    const { broker, port } = await t.broker();
    const ws = await broker.listenWebSocket({ port: 0, host: "127.0.0.1", path: "/mqtt" });
    const publisher = await t.client(port, { clientId: "pub" });
    await publishAcked(publisher, "r/1", "one", { retain: true, packetId: 1 });
    await publishAcked(publisher, "r/2", "two", { retain: true, packetId: 2 });
    const retained = await broker.inspector.retained(10);
    expect(retained.map((message) => message.topic).sort()).toEqual(["r/1", "r/2"]);
    expect(await broker.inspector.retained(1)).toHaveLength(1);
    expect(broker.inspector.listeners()).toEqual([
      { type: "tcp", host: "127.0.0.1", port },
      { type: "ws", host: "127.0.0.1", port: ws.port, path: "/mqtt" },
    ]);
    expect(broker.inspector.storeState).toBe("open");
    await ws.close();
    expect(broker.inspector.listeners()).toHaveLength(1);
    await broker.close();
    expect(broker.inspector.storeState).toBe("closed");
  });

  it("reports store write latency only while observed", async () => {
    const { broker, port } = await t.broker();
    const latencies: number[] = [];
    const stop = broker.inspector.onStoreWrite((milliseconds) => latencies.push(milliseconds));
    const publisher = await t.client(port, { clientId: "pub" });
    await publishAcked(publisher, "r", "x", { retain: true, packetId: 1 });
    expect(latencies.length).toBeGreaterThan(0);
    expect(latencies.every((milliseconds) => milliseconds >= 0)).toBe(true);
    stop();
    const seen = latencies.length;
    await publishAcked(publisher, "r", "y", { retain: true, packetId: 2 });
    expect(latencies).toHaveLength(seen);
  });

  it("counts connects and drops by reason", async () => {
    const { broker, port } = await t.broker();
    const offline = await t.client(port, { clientId: "offline", clean: false });
    await subscribe(offline, [["d", 0]]);
    offline.destroy();
    await offline.waitClosed();
    await new Promise<void>((resolve) => {
      if (broker.inspector.client("offline")?.connected === false) resolve();
      else broker.once("client-disconnected", () => resolve());
    });
    const publisher = await t.client(port, { clientId: "pub" });
    await publishAcked(publisher, "d", "lost");
    expect(broker.inspector.connects).toBe(2);
    expect(broker.inspector.drops.get("qos0-offline")).toBe(1);
  });
});
