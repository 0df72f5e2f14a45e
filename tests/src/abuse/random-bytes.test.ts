/**
 * Abuse: 1,000 connections send seeded random bytes. The broker closes each one (a first
 * packet that is not CONNECT [MQTT-3.1.0-1], a malformed one, or the connect timeout for an
 * incomplete CONNECT) without affecting anyone else: an MQTT.js QoS 1 stream running alongside
 * loses nothing. The existing robustness test (interop/robustness.test.ts) sends mutated
 * packets on 50 connections; this one is about the count.
 *
 * TERNMQ_ABUSE_SEED replays or explores other bytes; TERNMQ_ABUSE_CONNECTIONS changes the count
 * (10,000 with TERNMQ_ABUSE_FULL=1).
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { SeededRandom } from "../helpers/seeded-random.js";
import { startQos1Stream } from "./qos1-stream.js";
import { type RawSocket, RawSockets } from "./raw-sockets.js";
import { scaled, TEST_TIMEOUT_MS } from "./scale.js";

const seed = Number(process.env.TERNMQ_ABUSE_SEED ?? 0x0ab0_5e01);
const connectionCount = Number(process.env.TERNMQ_ABUSE_CONNECTIONS ?? scaled(1000, 10_000));
/** Connections opened at once (the rest wait for a slot), so the test stays within file limits. */
const openAtOnce = 200;

let running: RunningBroker;
const clients = new MqttJsClientPool();
const sockets = new RawSockets();

beforeEach(async () => {
  running = await startBroker({
    sysInterval: 0,
    limits: { connectTimeoutMs: 1000, maxPacketSize: 64 * 1024 },
  });
});

afterEach(async () => {
  sockets.destroyAll();
  await clients.closeAll();
  await running.close();
});

it(
  `[abuse] seed ${seed}: ${connectionCount} connections of random bytes are all closed and a QoS 1 stream loses nothing`,
  async () => {
    const random = new SeededRandom(seed);
    // Drawn up front, so the bytes depend on the seed only.
    const payloads = Array.from({ length: connectionCount }, () =>
      random.bytes(random.integer(1, 256)),
    );
    const stream = await startQos1Stream(clients, running.port, { name: "random", count: 1000 });
    const opened: RawSocket[] = [];
    for (let start = 0; start < connectionCount; start += openAtOnce) {
      const batch = payloads.slice(start, start + openAtOnce);
      const raws = await Promise.all(batch.map(() => sockets.open(running.port)));
      for (const [index, raw] of raws.entries()) raw.socket.write(batch[index] as Uint8Array);
      opened.push(...raws);
      await sockets.allClosed(raws, 10_000);
    }
    expect(opened).toHaveLength(connectionCount);
    expect(running.broker.stats.clientsConnected).toBe(2); // the stream's pair only
    await stream.finish(30_000);
  },
  TEST_TIMEOUT_MS,
);
