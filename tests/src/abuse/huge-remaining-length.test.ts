/**
 * Abuse: fixed headers announcing a 256 MB packet (Remaining Length 268,435,455, the largest
 * the 4-byte encoding allows). Over `maxPacketSize` the connection is closed from the header
 * alone [MQTT-2.2.3] and counted; within it (the default maximum is the protocol's), nothing is
 * allocated for the announcement: the decoder buffers only bytes that actually arrive, and a
 * client that sends no more is closed by its keepalive. Memory is checked not to grow by
 * anything near the announced size, while an MQTT.js QoS 1 stream loses nothing.
 */
import mqttPacket from "mqtt-packet";
import { afterEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { startQos1Stream } from "./qos1-stream.js";
import { type RawSocket, RawSockets } from "./raw-sockets.js";
import { scaled, TEST_TIMEOUT_MS } from "./scale.js";

/** PUBLISH (0x30) and CONNECT (0x10) fixed headers with Remaining Length 268,435,455. */
const PUBLISH_256_MB = Buffer.of(0x30, 0xff, 0xff, 0xff, 0x7f);
const CONNECT_256_MB = Buffer.of(0x10, 0xff, 0xff, 0xff, 0x7f);
const ATTACKERS = scaled(20, 200);
/** Far below 20 x 256 MB: what the test process may grow by while the attack runs. */
const MAX_GROWTH_BYTES = 64 * 1024 * 1024;

let running: RunningBroker | undefined;
const clients = new MqttJsClientPool();
const sockets = new RawSockets();

afterEach(async () => {
  sockets.destroyAll();
  await clients.closeAll();
  await running?.close();
  running = undefined;
});

const connectBytes = (clientId: string): Buffer =>
  mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 1,
  });

/** Memory that a 256 MB allocation would show up in (Buffers live outside the JS heap). */
function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Half the attackers announce a 256 MB CONNECT, half a 256 MB PUBLISH after a good CONNECT. */
async function attack(port: number): Promise<RawSocket[]> {
  const attackers = await Promise.all(Array.from({ length: ATTACKERS }, () => sockets.open(port)));
  for (const [index, raw] of attackers.entries()) {
    if (index % 2 === 0) raw.socket.write(CONNECT_256_MB);
    else raw.socket.write(Buffer.concat([connectBytes(`huge-${index}`), PUBLISH_256_MB]));
  }
  return attackers;
}

it(
  "[abuse] [MQTT-2.2.3] a Remaining Length of 256 MB over maxPacketSize is refused from the header, counted, nothing allocated",
  async () => {
    running = await startBroker({ sysInterval: 0, limits: { maxPacketSize: 1024 * 1024 } });
    const stream = await startQos1Stream(clients, running.port, { name: "huge", count: 300 });
    const before = memoryInUse();
    const attackers = await attack(running.port);
    await sockets.allClosed(attackers, 5000);
    expect(memoryInUse() - before).toBeLessThan(MAX_GROWTH_BYTES);
    expect(running.broker.stats.limits.packetsTooLarge).toBe(ATTACKERS);
    await stream.finish();
  },
  TEST_TIMEOUT_MS,
);

it(
  "[abuse] within the default maxPacketSize a 256 MB announcement allocates nothing, and a silent sender is closed by keepalive",
  async () => {
    running = await startBroker({ sysInterval: 0, limits: { connectTimeoutMs: 1000 } });
    const stream = await startQos1Stream(clients, running.port, {
      name: "huge-default",
      count: 300,
    });
    const before = memoryInUse();
    const attackers = await attack(running.port);
    // CONNECTs that never complete end at the connect timeout, PUBLISHes at 1.5 x keepalive.
    await sockets.allClosed(attackers, 6000);
    expect(memoryInUse() - before).toBeLessThan(MAX_GROWTH_BYTES);
    expect(running.broker.stats.limits.connectTimeouts).toBe(ATTACKERS / 2);
    expect(running.broker.stats.limits.packetsTooLarge).toBe(0);
    await stream.finish();
  },
  TEST_TIMEOUT_MS,
);
