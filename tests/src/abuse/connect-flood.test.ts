/**
 * Abuse: a CONNECT flood from one source address (127.0.0.2; Linux routes all of 127/8 to
 * loopback). `connectionsPerSecondPerAddress` closes the excess at accept, before a byte is
 * read, and `maxConnectionsPerAddress` caps what stays open; both are counted. Clients from
 * another address (127.0.0.1) keep connecting, and their QoS 1 stream loses nothing.
 */
import mqttPacket from "mqtt-packet";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil } from "../helpers/with-timeout.js";
import { startQos1Stream } from "./qos1-stream.js";
import { type RawSocket, RawSockets } from "./raw-sockets.js";
import { scaled, TEST_TIMEOUT_MS } from "./scale.js";

const FLOOD_ADDRESS = "127.0.0.2";
const FLOOD_SIZE = scaled(500, 5000);
const RATE = 20;
const MAX_PER_ADDRESS = 30;

let running: RunningBroker;
const clients = new MqttJsClientPool();
const sockets = new RawSockets();

beforeEach(async () => {
  running = await startBroker({
    sysInterval: 0,
    limits: { connectionsPerSecondPerAddress: RATE, maxConnectionsPerAddress: MAX_PER_ADDRESS },
  });
});

afterEach(async () => {
  sockets.destroyAll();
  await clients.closeAll();
  await running.close();
});

it(
  `[abuse] a flood of ${FLOOD_SIZE} CONNECTs from one address is cut by the per-address rate and count; other addresses are served`,
  async () => {
    const stream = await startQos1Stream(clients, running.port, { name: "flood", count: 500 });
    const flood: RawSocket[] = [];
    for (let index = 0; index < FLOOD_SIZE; index += 1) {
      const raw = await sockets.open(running.port, FLOOD_ADDRESS);
      raw.socket.write(
        mqttPacket.generate({
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: 4,
          clean: true,
          clientId: `flood-${index}`,
          keepalive: 0,
        }),
      );
      flood.push(raw);
    }
    // A new well-behaved client from another address is not affected by the flood.
    const during = await clients.connect(running.port, { clientId: "flood-bystander" });
    expect(during.connack.returnCode).toBe(0);

    // Each flood connection ends up answered (CONNACK) or closed unanswered.
    await waitUntil(
      () => flood.every((raw) => raw.isClosed() || raw.received() >= 4),
      5000,
      () => "every flood connection to be answered or closed",
    );
    const refused = flood.filter((raw) => raw.isClosed() && raw.received() === 0);
    const { connectionRateExceeded, connectionsPerAddressExceeded } = running.broker.stats.limits;
    expect(connectionRateExceeded).toBeGreaterThan(0);
    // Every refused connection is counted once, under one of the two limits.
    expect(connectionRateExceeded + connectionsPerAddressExceeded).toBe(refused.length);
    const admitted = flood.filter((raw) => !raw.isClosed());
    expect(admitted.length).toBeGreaterThanOrEqual(RATE); // the first second's burst
    expect(admitted.length).toBeLessThanOrEqual(MAX_PER_ADDRESS);
    expect(admitted.every((raw) => raw.received() === 4)).toBe(true); // CONNACK 0, nothing else
    await stream.finish();
  },
  TEST_TIMEOUT_MS,
);
