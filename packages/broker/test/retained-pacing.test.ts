/**
 * A SUBSCRIBE to `#` over many retained messages: every message arrives (QoS 0 and 1), paced
 * by the subscriber (socket backpressure, inflight window and queue), with no queue-full or
 * slow-consumer drop, while other clients keep being served.
 *
 * The QoS 1 reader is a TCP socket: there the bound that matters is the session's inflight
 * window and queue. The QoS 0 reader is an in-memory stream that completes writes only when
 * it reads them: loopback TCP buffers absorb megabytes, which would hide whether the broker
 * respects backpressure; this stream shows it exactly, like a socket to a slow device.
 */
import { Duplex } from "node:stream";
import { Decoder, encode, type Packet } from "@ternmq/codec";
import { MemoryRetainedStore, MemorySessionStore } from "@ternmq/session";
import { afterEach, describe, expect, it } from "vitest";
import { Harness } from "./helpers/harness.js";
import { publishAcked, subscribe } from "./helpers/packets.js";
import { TestStores } from "./helpers/stores.js";

const t = new Harness();
afterEach(() => t.cleanup());

const RETAINED = 20_000;

async function storeWithRetained(
  payloadBytes: number,
  count = RETAINED,
): Promise<MemoryRetainedStore> {
  const store = new MemoryRetainedStore();
  const payload = new Uint8Array(payloadBytes).fill(1);
  for (let index = 0; index < count; index++) {
    await store.set({ topic: `r/${index}`, payload, qos: 1, retain: true, receivedAt: 0 });
  }
  return store;
}

/** A client whose writes complete only while it reads: paused at first, then one per turn. */
class SlowReader {
  readonly topics = new Set<string>();
  notRetained = 0;
  subacks = 0;
  private paused = true;
  private readonly pending: (() => void)[] = [];
  private readonly decoder = new Decoder({ role: "client", protocolVersion: 4 });
  private finished: (() => void) | undefined;
  readonly done = new Promise<void>((resolve) => {
    this.finished = resolve;
  });
  readonly stream = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, callback) => {
      this.decoder.push(chunk);
      for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
        this.receive(packet);
      }
      if (this.paused) this.pending.push(callback);
      else setImmediate(callback);
    },
  });

  send(packet: Packet): void {
    this.stream.push(encode(packet, { protocolVersion: 4 }));
  }

  resume(): void {
    this.paused = false;
    for (const callback of this.pending.splice(0)) setImmediate(callback);
  }

  private receive(packet: Packet): void {
    if (packet.type === "suback") this.subacks++;
    if (packet.type !== "publish") return;
    if (!packet.retain) this.notRetained++;
    this.topics.add(packet.topic);
    if (this.topics.size === RETAINED) this.finished?.();
  }
}

describe("retained messages paced by the subscriber", () => {
  it(`a '#' SUBSCRIBE at QoS 0 gets all ${RETAINED} retained messages from a slow reader, nothing dropped, others served meanwhile`, async () => {
    const retained = await storeWithRetained(512);
    const { port, broker } = await t.broker({
      persistence: { sessions: new MemorySessionStore(), retained },
      limits: { maxOutgoingBufferBytes: 64 * 1024 },
    });
    const drops: string[] = [];
    broker.on("dropped", (clientId, reason) => drops.push(`${clientId}:${reason}`));
    const reader = new SlowReader();
    broker.handleConnection(reader.stream);
    reader.send({ type: "connect", protocolVersion: 4, clean: true, keepalive: 0, clientId: "r" });
    reader.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "#", qos: 0 }] });

    const other = await t.client(port, { clientId: "other" });
    await subscribe(other, [["live", 1]]);
    const sender = await t.client(port, { clientId: "sender" });
    await publishAcked(sender, "live", "served");
    expect((await other.expect("publish")).topic).toBe("live");
    expect(reader.topics.size).toBeLessThan(RETAINED); // the stream waits for the reader

    reader.resume();
    await reader.done;
    expect(reader.subacks).toBe(1);
    expect(reader.notRetained).toBe(1); // "live", delivered live
    expect(drops).toEqual([]);
    expect(broker.stats.messagesDropped).toBe(0);
    reader.stream.destroy();
  }, 30_000);

  // A persistent reader's every message is journaled first (group commit per turn), and
  // waits in the write-ahead gate: 5,000 are enough to fill the gate, window and queue.
  for (const [clean, count] of [
    [true, RETAINED],
    [false, 5_000],
  ] as const) {
    it(`a '#' SUBSCRIBE at QoS 1 (clean session ${clean ? 1 : 0}) gets all ${count} retained messages from a slow reader, nothing dropped, others served meanwhile`, async () => {
      const retained = await storeWithRetained(16, count);
      const stores = new TestStores(new MemorySessionStore(), retained);
      const { port, broker } = await t.broker({
        persistence: stores,
        limits: { maxOutgoingBufferBytes: 64 * 1024 },
      });
      const drops: string[] = [];
      broker.on("dropped", (clientId, reason) => drops.push(`${clientId}:${reason}`));
      const reader = await t.client(port, { clientId: "reader", clean });
      await subscribe(reader, [["#", 1]]);
      reader.socket.pause(); // a reader that stops reading for a while

      // Another client is served while the stream waits for the reader.
      const other = await t.client(port, { clientId: "other" });
      await subscribe(other, [["live", 1]]);
      const sender = await t.client(port, { clientId: "sender" });
      await publishAcked(sender, "live", "served");
      expect((await other.expect("publish")).topic).toBe("live");

      reader.socket.resume();
      const topics = new Set<string>();
      while (topics.size < count) {
        const packet = await reader.expect("publish");
        if (packet.qos === 1) reader.send({ type: "puback", packetId: packet.packetId ?? 0 });
        if (packet.topic === "live") continue; // the other client's message, live (RETAIN 0)
        expect(packet.retain).toBe(true);
        topics.add(packet.topic);
      }
      expect(drops).toEqual([]);
      expect(broker.stats.messagesDropped).toBe(0);
      expect(reader.closed).toBe(false);
    }, 30_000);
  }
});
