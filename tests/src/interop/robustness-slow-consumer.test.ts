/**
 * Robustness: a subscriber whose socket never drains (it stops reading) must not stall a QoS 1
 * stream to a healthy MQTT.js subscriber; the broker drops the frozen client's QoS 0 copies,
 * counts them, and disconnects it after the drain timeout.
 */
import { type Socket, connect as tcpConnect } from "node:net";
import type { ClientInfo, DisconnectReason } from "@ternmq/broker";
import mqttPacket from "mqtt-packet";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil, withTimeout } from "../helpers/with-timeout.js";

const drainTimeoutMs = 1500;
const streamLength = 1000;
/** 16 KiB payloads: 16 MiB in all, more than the kernel's socket buffers can absorb. */
const payloadBytes = 16 * 1024;

let running: RunningBroker;
let frozen: Socket | undefined;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({
    sysInterval: 0,
    limits: { maxOutgoingBufferBytes: 256 * 1024, drainTimeoutMs },
  });
});

afterEach(async () => {
  frozen?.destroy();
  await clients.closeAll();
  await running.close();
});

/** Connects a raw client that subscribes to `filter` at QoS 0 and then stops reading its socket. */
async function connectFrozenSubscriber(port: number, clientId: string, filter: string) {
  const socket = tcpConnect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  let received = Buffer.alloc(0);
  const subscribed = new Promise<void>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // CONNACK (4 bytes) then SUBACK (0x90, length 3, id 1, granted QoS 0).
      if (received.subarray(4, 9).equals(Buffer.of(0x90, 0x03, 0x00, 0x01, 0x00))) resolve();
    });
  });
  socket.write(
    mqttPacket.generate({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId,
      keepalive: 0,
    }),
  );
  socket.write(
    mqttPacket.generate({
      cmd: "subscribe",
      messageId: 1,
      subscriptions: [{ topic: filter, qos: 0 }],
    }),
  );
  await withTimeout(subscribed, 3000, () => `CONNACK and SUBACK for ${clientId}`);
  socket.pause();
  socket.removeAllListeners("data");
  return socket;
}

it("[robustness] a subscriber that stops reading does not stall a QoS 1 stream to others, and is disconnected as a slow consumer", async () => {
  const disconnects = new Map<string, DisconnectReason>();
  running.broker.on("client-disconnected", (client: ClientInfo, reason: DisconnectReason) => {
    disconnects.set(client.clientId, reason);
  });
  const healthy = await clients.connect(running.port, { clientId: "slow-test-healthy" });
  await healthy.client.subscribeAsync("slow/stream", { qos: 1 });
  frozen = await connectFrozenSubscriber(running.port, "slow-test-frozen", "slow/#");
  const publisher = await clients.connect(running.port, { clientId: "slow-test-publisher" });

  const payload = Buffer.alloc(payloadBytes, 0x61);
  for (let start = 0; start < streamLength; start += 50) {
    const batch: Promise<unknown>[] = [];
    for (let index = start; index < start + 50; index += 1) {
      batch.push(
        publisher.client.publishAsync(
          "slow/stream",
          Buffer.concat([Buffer.from(`${index}:`), payload]),
          { qos: 1 },
        ),
      );
    }
    await Promise.all(batch);
  }

  const messages = await healthy.waitForMessages(streamLength, 10_000);
  expect(messages.map((message) => message.payload.slice(0, message.payload.indexOf(":")))).toEqual(
    Array.from({ length: streamLength }, (_, index) => `${index}`),
  );
  expect(running.broker.stats.messagesDropped).toBeGreaterThan(0);
  await waitUntil(
    () => disconnects.has("slow-test-frozen"),
    drainTimeoutMs + 3000,
    () => "the broker to disconnect the frozen subscriber",
  );
  expect(disconnects.get("slow-test-frozen")).toBe("slow-consumer");
  expect(disconnects.has("slow-test-healthy")).toBe(false);
}, 20_000);
