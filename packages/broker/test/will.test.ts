import type { Will } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { bytes, Harness, text } from "./helpers/harness.js";
import { publishPacket, subscribe } from "./helpers/packets.js";
import type { RawClient } from "./helpers/raw-client.js";

const t = new Harness();
afterEach(() => t.cleanup());

const will: Will = { topic: "wills/c", payload: bytes("gone"), qos: 1, retain: false };

async function watcher(port: number): Promise<RawClient> {
  const client = await t.client(port, { clientId: "watcher" });
  await subscribe(client, [["wills/#", 1]]);
  return client;
}

async function expectWill(client: RawClient): Promise<void> {
  const packet = await client.expect("publish", 3000);
  expect(packet.topic).toBe("wills/c");
  expect(packet.qos).toBe(1);
  expect(text(packet.payload)).toBe("gone");
}

describe("will messages [MQTT-3.1.2-8]", () => {
  it("published when the connection closes without DISCONNECT", async () => {
    const { port } = await t.broker();
    const watch = await watcher(port);
    const client = await t.client(port, { clientId: "c", will });
    client.destroy();
    await expectWill(watch);
  });

  it("published when the client's stream ends (FIN) without DISCONNECT", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const watch = await watcher(port);
    const client = await t.client(port, { clientId: "c", will });
    client.socket.end();
    await expectWill(watch);
    expect(reasons).toEqual(["closed"]);
  });

  it("published on an I/O error (connection reset)", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const watch = await watcher(port);
    const client = await t.client(port, { clientId: "c", will });
    client.socket.resetAndDestroy();
    await expectWill(watch);
    expect(reasons).toEqual(["io-error"]);
  });

  it("published on a protocol error", async () => {
    const { port } = await t.broker();
    const watch = await watcher(port);
    const client = await t.client(port, { clientId: "c", will });
    client.send(publishPacket("bad/#", "x"));
    await client.waitClosed();
    await expectWill(watch);
  });

  it("published when the keepalive expires", async () => {
    const { port } = await t.broker();
    const watch = await watcher(port);
    await t.client(port, { clientId: "c", will, keepalive: 1 });
    await expectWill(watch);
  });

  it("published on a takeover by the same client id", async () => {
    const { port } = await t.broker();
    const watch = await watcher(port);
    await t.client(port, { clientId: "c", will });
    await t.client(port, { clientId: "c" });
    await expectWill(watch);
  });

  it("published with its RETAIN flag: stored as the topic's retained message", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "c", will: { ...will, retain: true } });
    client.destroy();
    await client.waitClosed();
    const later = await t.client(port, { clientId: "later" });
    await subscribe(later, [["wills/c", 0]]);
    const packet = await later.expect("publish");
    expect(packet.retain).toBe(true);
    expect(text(packet.payload)).toBe("gone");
  });

  it("[MQTT-3.1.2-10] discarded on DISCONNECT", async () => {
    const { port } = await t.broker();
    const watch = await watcher(port);
    const client = await t.client(port, { clientId: "c", will });
    client.send({ type: "disconnect" });
    await client.waitClosed();
    await watch.expectNothing(200);
  });

  it("not published when the broker shuts down", async () => {
    const { port, broker } = await t.broker();
    const published: string[] = [];
    broker.on("published", (_client, message) => published.push(message.topic));
    await t.client(port, { clientId: "c", will });
    await broker.close();
    expect(published).toEqual([]);
  });

  it("[MQTT-3.1.3-10] a will topic with wildcards closes the connection without CONNACK", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port);
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "c",
      clean: true,
      keepalive: 0,
      will: { ...will, topic: "wills/+" },
    });
    await client.waitClosed();
    expect(client.closed).toBe(true);
  });
});

describe("keepalive [MQTT-3.1.2-24]", () => {
  it("closes a client silent for 1.5 x keepalive (1 s -> about 1.5 s)", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const client = await t.client(port, { clientId: "k", keepalive: 1 });
    const started = Date.now();
    await client.waitClosed(3000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
    expect(reasons).toEqual(["keepalive-timeout"]);
  });

  it("keeps a client that sends PINGREQ within the keepalive", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "k", keepalive: 1 });
    for (let round = 0; round < 4; round++) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      client.send({ type: "pingreq" });
      await client.expect("pingresp");
    }
    expect(client.closed).toBe(false);
  });

  it("holds a client to maxKeepalive when it asks for more (3.1.1 cannot tell it)", async () => {
    const { port } = await t.broker({ limits: { maxKeepalive: 1 } });
    const client = await t.client(port, { clientId: "k", keepalive: 600 });
    await client.waitClosed(3000);
  });
});
