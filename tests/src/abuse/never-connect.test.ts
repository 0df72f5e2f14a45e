/**
 * Abuse: connections that never send CONNECT, and slowloris (packets one byte at a time).
 * Each is closed by `connectTimeoutMs` (short in CI) or by the keepalive [MQTT-3.1.2-24], and
 * counted; an MQTT.js QoS 1 stream running alongside loses nothing.
 */
import type { Socket } from "node:net";
import mqttPacket from "mqtt-packet";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { startQos1Stream } from "./qos1-stream.js";
import { type RawSocket, RawSockets } from "./raw-sockets.js";
import { scaled, TEST_TIMEOUT_MS } from "./scale.js";

/** The broker's default (10 s) at full size. */
const connectTimeoutMs = scaled(300, 10_000);
const silentCount = scaled(200, 2000);
const slowCount = scaled(20, 200);
/** One byte per second at full size; faster in CI, against the shorter connect timeout. */
const byteIntervalMs = scaled(50, 1000);
/** Keepalive (s) in the CONNECT of the slowloris connections that do complete one. */
const slowKeepalive = scaled(1, 5);

let running: RunningBroker;
const clients = new MqttJsClientPool();
const sockets = new RawSockets();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0, limits: { connectTimeoutMs } });
});

afterEach(async () => {
  sockets.destroyAll();
  await clients.closeAll();
  await running.close();
});

const connectBytes = (clientId: string, keepalive = 0): Buffer =>
  mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive,
  });

/** Writes `bytes` one at a time, `byteIntervalMs` apart, until done or closed; returns the count sent. */
async function dribble(socket: Socket, bytes: Uint8Array): Promise<number> {
  let sent = 0;
  while (sent < bytes.length && !socket.destroyed && socket.writable) {
    socket.write(bytes.subarray(sent, sent + 1));
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, byteIntervalMs));
  }
  return sent;
}

it(
  `[abuse] ${silentCount} connections that never send CONNECT are closed after connectTimeoutMs and counted`,
  async () => {
    const stream = await startQos1Stream(clients, running.port, { name: "silent", count: 300 });
    const silent: RawSocket[] = [];
    // Opened in batches, so that the listen backlog (511) never delays the broker's accept.
    for (let start = 0; start < silentCount; start += 200) {
      const batch = Array.from({ length: Math.min(200, silentCount - start) }, () =>
        sockets.open(running.port),
      );
      silent.push(...(await Promise.all(batch)));
    }
    await sockets.allClosed(silent, connectTimeoutMs + 10_000);
    expect(silent.every((raw) => raw.received() === 0)).toBe(true); // closed without an answer
    expect(running.broker.stats.limits.connectTimeouts).toBe(silentCount);
    await stream.finish();
  },
  TEST_TIMEOUT_MS,
);

it(
  "[abuse] slowloris: a CONNECT sent one byte at a time is cut by connectTimeoutMs; after CONNECT, by the keepalive",
  async () => {
    const stream = await startQos1Stream(clients, running.port, { name: "slowloris", count: 300 });
    // Before CONNECT: the whole CONNECT would take about 26 byte intervals, past the timeout.
    const beforeConnect = await Promise.all(
      Array.from({ length: slowCount }, () => sockets.open(running.port)),
    );
    const dribbled = await Promise.all(
      beforeConnect.map((raw, index) => dribble(raw.socket, connectBytes(`slow-${index}`))),
    );
    await sockets.allClosed(beforeConnect, connectTimeoutMs + 5000);
    const connectLength = connectBytes("slow-0").length;
    expect(dribbled.every((sent) => sent < connectLength)).toBe(true);
    expect(running.broker.stats.limits.connectTimeouts).toBe(slowCount);

    // After a CONNECT with a keepalive: a PUBLISH dribbled byte by byte is not a packet, so the
    // connection is closed 1.5 keepalives after the CONNECT [MQTT-3.1.2-24].
    const afterConnect = await Promise.all(
      Array.from({ length: slowCount }, () => sockets.open(running.port)),
    );
    for (const [index, raw] of afterConnect.entries()) {
      raw.socket.write(connectBytes(`slow-c-${index}`, slowKeepalive));
    }
    const publish = mqttPacket.generate({
      cmd: "publish",
      topic: "abuse/slowloris/x",
      payload: Buffer.alloc(200, 0x61),
      qos: 0,
      retain: false,
      dup: false,
    });
    const sentAfterConnect = await Promise.all(
      afterConnect.map((raw) => dribble(raw.socket, publish)),
    );
    await sockets.allClosed(afterConnect, slowKeepalive * 1500 + 5000);
    expect(sentAfterConnect.every((sent) => sent < publish.length)).toBe(true);
    await stream.finish();
  },
  TEST_TIMEOUT_MS,
);
