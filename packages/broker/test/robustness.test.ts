import { encode } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { Harness, text } from "./helpers/harness.js";
import { publishPacket, subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

/** Deterministic PRNG (mulberry32) so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe("bad input closes that connection only", () => {
  it("random bytes on 30 connections (seed 1883) while a QoS 1 stream loses nothing", async () => {
    const seed = 1883;
    const next = random(seed);
    const { port, broker } = await t.broker({ limits: { connectTimeoutMs: 500 } });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, [["stream", 1]]);
    const publisher = await t.client(port, { clientId: "pub" });

    const attackers = await Promise.all(Array.from({ length: 30 }, () => t.raw(port)));
    for (const [index, attacker] of attackers.entries()) {
      const length = 1 + Math.floor(next() * 200);
      const garbage = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      // Half of them start with a valid CONNECT, then send garbage.
      if (index % 2 === 0) {
        attacker.sendBytes(
          encode(
            {
              type: "connect",
              protocolVersion: 4,
              clientId: `a${index}`,
              clean: true,
              keepalive: 0,
            },
            { protocolVersion: 4 },
          ),
        );
      }
      attacker.sendBytes(garbage);
    }
    const received: string[] = [];
    for (let index = 1; index <= 50; index++) {
      publisher.send(publishPacket("stream", String(index), 1, { packetId: index }));
      expect((await publisher.expect("puback")).packetId).toBe(index);
      const packet = await subscriber.expect("publish");
      received.push(text(packet.payload));
      subscriber.send({ type: "puback", packetId: packet.packetId ?? 0 });
    }
    expect(received).toEqual(Array.from({ length: 50 }, (_, index) => String(index + 1)));
    // Garbage either closed the connection at once or left a partial packet that the connect
    // timeout (not connected) or a later error ends; none of them stays connected and silent.
    await Promise.all(attackers.map((attacker) => attacker.waitClosed(3000).catch(() => attacker)));
    const stillOpen = attackers.filter((attacker) => !attacker.closed);
    for (const attacker of stillOpen) attacker.destroy();
    // The broker still serves.
    const late = await t.client(port, { clientId: "late" });
    late.send({ type: "pingreq" });
    await late.expect("pingresp");
    expect(broker.stats.clientsConnected).toBeGreaterThanOrEqual(3);
  });

  it("[MQTT-2.2.3] closes a connection that announces a packet over maxPacketSize, before buffering it", async () => {
    const { port } = await t.broker({ limits: { maxPacketSize: 1024 } });
    const other = await t.client(port, { clientId: "other" });
    const client = await t.client(port, { clientId: "big" });
    // PUBLISH with Remaining Length 1,000,000 (0xC0 0x84 0x3D) and only a few bytes.
    client.sendBytes(Uint8Array.of(0x30, 0xc0, 0x84, 0x3d, 0x00, 0x01, 0x61));
    await client.waitClosed();
    other.send({ type: "pingreq" });
    await other.expect("pingresp");
  });

  it("closes a connection with a malformed Remaining Length (five bytes)", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    client.sendBytes(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01));
    await client.waitClosed();
  });

  it("closes a connection whose packet is truncated when the stream ends", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const client = await t.client(port, { clientId: "c" });
    client.sendBytes(Uint8Array.of(0x30, 0x10, 0x00, 0x03, 0x61));
    client.socket.end();
    await client.waitClosed();
    expect(reasons).toEqual(["closed"]);
  });

  it("[MQTT-3.3.1-4] closes a connection that sends PUBLISH with QoS 3", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    client.sendBytes(Uint8Array.of(0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01));
    await client.waitClosed();
  });

  it("[MQTT-2.3.1-2] closes a connection whose SUBSCRIBE reuses the id of an unfinished QoS 2 PUBLISH", async () => {
    const { port } = await t.broker();
    const client = await t.client(port, { clientId: "c" });
    client.send(publishPacket("t", "x", 2, { packetId: 4 }));
    await client.expect("pubrec");
    client.send({ type: "subscribe", packetId: 4, subscriptions: [{ topicFilter: "t", qos: 0 }] });
    await client.waitClosed();
  });
});
