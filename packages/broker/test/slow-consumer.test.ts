import { Duplex } from "node:stream";
import { encode, type Packet } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { delay, Harness } from "./helpers/harness.js";
import { subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

/**
 * A client transport that stops reading: after `freeze()` no write completes, so the broker's
 * side of the stream fills up exactly as a socket to a client that never reads.
 */
function frozenClient(): {
  stream: Duplex;
  send(packet: Packet): void;
  freeze(): void;
  destroyed: Promise<void>;
} {
  let frozen = false;
  const stream = new Duplex({
    read() {},
    write(_chunk: Buffer, _encoding, callback) {
      if (!frozen) callback();
    },
  });
  const destroyed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  return {
    stream,
    send: (packet) => stream.push(encode(packet, { protocolVersion: 4 })),
    freeze: () => {
      frozen = true;
    },
    destroyed,
  };
}

describe("slow consumers", () => {
  it("a QoS 0 message larger than the outgoing buffer limit still reaches a subscriber that keeps up", async () => {
    const { port, broker } = await t.broker({ limits: { maxOutgoingBufferBytes: 16 * 1024 } });
    const subscriber = await t.client(port, { clientId: "reader" });
    await subscribe(subscriber, [["big", 0]]);

    const payload = new Uint8Array(64 * 1024).fill(7);
    await broker.publish({ topic: "big", payload, qos: 0, retain: false });

    const received = await subscriber.expect("publish");
    expect(new Uint8Array(received.payload)).toEqual(payload);
    expect(broker.stats.messagesDropped).toBe(0);
  });

  it("a client that never reads: QoS 0 to it dropped and counted, others keep receiving, drain timeout closes it", async () => {
    const { port, broker } = await t.broker({
      limits: { maxOutgoingBufferBytes: 64 * 1024, drainTimeoutMs: 300 },
    });
    const reasons: string[] = [];
    broker.on("client-disconnected", (client, reason) =>
      reasons.push(`${client.clientId}:${reason}`),
    );
    const drops = new Map<string, number>();
    broker.on("dropped", (clientId, reason, count) => {
      const key = `${clientId}:${reason}`;
      drops.set(key, (drops.get(key) ?? 0) + count);
    });

    const slow = frozenClient();
    broker.handleConnection(slow.stream, { remoteAddress: "frozen" });
    slow.send({ type: "connect", protocolVersion: 4, clientId: "slow", clean: true, keepalive: 0 });
    slow.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "load", qos: 0 }] });
    await delay(20);
    slow.freeze();

    const healthy = await t.client(port, { clientId: "healthy" });
    await subscribe(healthy, [["load", 0]]);

    const payload = new Uint8Array(8 * 1024);
    const count = 40;
    for (let index = 0; index < count; index++) {
      await broker.publish({ topic: "load", payload, qos: 0, retain: false });
      await delay(1);
    }
    for (let index = 0; index < count; index++) await healthy.expect("publish");

    const dropped = drops.get("slow:slow-consumer") ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(broker.stats.messagesDropped).toBe(dropped);
    expect(drops.has("healthy:slow-consumer")).toBe(false);
    // About 64 KiB of the 320 KiB were buffered for the slow client before dropping began.
    expect(dropped).toBeGreaterThanOrEqual(count - 10);

    await slow.destroyed;
    expect(reasons).toContain("slow:slow-consumer");
    expect(broker.stats.clientsConnected).toBe(1);
  });

  it("keeps QoS 1 messages to a slow client in its session instead of dropping them", async () => {
    const { broker } = await t.broker({
      limits: { maxOutgoingBufferBytes: 16 * 1024, drainTimeoutMs: 5000, maxInflight: 5 },
    });
    const slow = frozenClient();
    broker.handleConnection(slow.stream);
    slow.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "slow",
      clean: false,
      keepalive: 0,
    });
    slow.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "load", qos: 1 }] });
    await delay(20);
    slow.freeze();
    const payload = new Uint8Array(8 * 1024);
    for (let index = 0; index < 20; index++) {
      await broker.publish({ topic: "load", payload, qos: 1, retain: false });
    }
    expect(broker.stats.messagesDropped).toBe(0);
    // 5 in flight (written), 15 waiting in the session's queue.
    expect(broker.stats.messagesSent).toBe(5);
    slow.stream.destroy();
  });

  it("stops reading from a client that floods QoS 1 without reading its PUBACKs, then closes it", async () => {
    const { broker } = await t.broker({ limits: { drainTimeoutMs: 200 } });
    const reasons: string[] = [];
    broker.on("client-disconnected", (client, reason) =>
      reasons.push(`${client.clientId}:${reason}`),
    );
    const flooder = frozenClient();
    broker.handleConnection(flooder.stream);
    flooder.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "flood",
      clean: true,
      keepalive: 0,
    });
    await delay(20);
    flooder.freeze();
    const total = 20_000;
    // In batches, as a socket delivers data: one chunk per event-loop turn.
    for (let index = 0; index < total; index++) {
      const packetId = (index % 65_535) + 1;
      flooder.send({
        type: "publish",
        topic: "f",
        payload: new Uint8Array(0),
        qos: 1,
        packetId,
        retain: false,
        dup: false,
      });
      if (index % 500 === 499) await delay(0);
    }
    await delay(50);
    // About 16 KiB of PUBACKs (4 bytes each) fill the stream; then reading stops.
    expect(broker.stats.messagesReceived).toBeGreaterThan(1000);
    expect(broker.stats.messagesReceived).toBeLessThan(total);
    await flooder.destroyed;
    expect(reasons).toEqual(["flood:slow-consumer"]);
  });
});
