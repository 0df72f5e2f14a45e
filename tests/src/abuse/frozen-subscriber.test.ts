/**
 * Abuse: a client subscribes to `#` and never reads its socket again, over TCP (QoS 1) and
 * over WebSocket (QoS 0). While large QoS 0 messages pile up for it, the broker drops its
 * QoS 0 copies beyond `maxOutgoingBufferBytes` (counted), closes it as a slow consumer after
 * `drainTimeoutMs`, and an MQTT.js QoS 1 stream (over TCP, and over WebSocket) loses nothing.
 * interop/robustness-slow-consumer.test.ts covers a QoS 0 frozen subscriber to one topic.
 */
import { createRequire } from "node:module";
import { type Socket, connect as tcpConnect } from "node:net";
import type { DisconnectReason } from "@ternmq/broker";
import mqttPacket from "mqtt-packet";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil, withTimeout } from "../helpers/with-timeout.js";
import { startQos1Stream } from "./qos1-stream.js";
import { scaled, TEST_TIMEOUT_MS } from "./scale.js";

/** What the test uses of a `ws` client (this workspace has `ws` but not its type package). */
interface WebSocketClient {
  on(event: "message", listener: (data: Buffer) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  once(event: "open", listener: () => void): void;
  send(data: Buffer): void;
  /** Stops reading the socket (ws 8). */
  pause(): void;
  terminate(): void;
}
const { WebSocket } = createRequire(import.meta.url)("ws") as {
  WebSocket: new (url: string, protocol: string) => WebSocketClient;
};

const drainTimeoutMs = 1500;
/** 200 x 64 KiB of QoS 0 noise (12.5 MiB): more than the kernel's socket buffers absorb. */
const noiseCount = scaled(200, 2000);
const noisePayload = Buffer.alloc(64 * 1024, 0x6e);

let running: RunningBroker;
const clients = new MqttJsClientPool();
const frozen: { close(): void }[] = [];

beforeEach(async () => {
  running = await startBroker({
    sysInterval: 0,
    limits: { maxOutgoingBufferBytes: 128 * 1024, drainTimeoutMs },
  });
});

afterEach(async () => {
  for (const connection of frozen.splice(0)) connection.close();
  await clients.closeAll();
  await running.close();
});

function packetBytes(packet: mqttPacket.Packet): Buffer {
  return mqttPacket.generate(packet);
}

const CONNECT = (clientId: string) =>
  packetBytes({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
  });
const SUBSCRIBE_ALL = (qos: 0 | 1) =>
  packetBytes({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "#", qos }] });
/** CONNACK 0 then SUBACK for packet id 1. */
const subscribed = (bytes: Buffer, qos: number) =>
  bytes.subarray(4, 9).equals(Buffer.of(0x90, 0x03, 0x00, 0x01, qos));

/** A TCP client that subscribes to `#` at QoS 1, then stops reading. */
async function frozenTcpSubscriber(port: number): Promise<void> {
  const socket: Socket = tcpConnect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  frozen.push({ close: () => socket.destroy() });
  let received = Buffer.alloc(0);
  const ready = new Promise<void>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (subscribed(received, 1)) resolve();
    });
  });
  socket.write(Buffer.concat([CONNECT("frozen-tcp"), SUBSCRIBE_ALL(1)]));
  await withTimeout(ready, 3000, () => "CONNACK and SUBACK of the frozen TCP subscriber");
  socket.removeAllListeners("data");
  socket.pause();
}

/** A WebSocket client (subprotocol mqtt) that subscribes to `#` at QoS 0, then stops reading. */
async function frozenWebSocketSubscriber(port: number): Promise<void> {
  const webSocket = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, "mqtt");
  webSocket.on("error", () => {});
  frozen.push({ close: () => webSocket.terminate() });
  let received = Buffer.alloc(0);
  const ready = new Promise<void>((resolve) => {
    webSocket.on("message", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (subscribed(received, 0)) resolve();
    });
  });
  await withTimeout(
    new Promise<void>((resolve) => webSocket.once("open", resolve)),
    3000,
    () => "the WebSocket handshake",
  );
  webSocket.send(Buffer.concat([CONNECT("frozen-ws"), SUBSCRIBE_ALL(0)]));
  await withTimeout(ready, 3000, () => "CONNACK and SUBACK of the frozen WebSocket subscriber");
  webSocket.pause(); // no more socket reads: TCP backpressure reaches the broker's ws server
}

/** Publishes the QoS 0 noise that piles up for the frozen subscriber (and no one else). */
async function publishNoise(port: number, connect: object = {}): Promise<void> {
  const noise = await clients.connect(port, { ...connect, clientId: "noise" });
  for (let index = 0; index < noiseCount; index += 1) {
    await noise.client.publishAsync("abuse/noise", noisePayload, { qos: 0 });
  }
}

function disconnectReasons(): Map<string, DisconnectReason> {
  const reasons = new Map<string, DisconnectReason>();
  running.broker.on("client-disconnected", (client, reason) => {
    reasons.set(client.clientId, reason);
  });
  return reasons;
}

it(
  "[abuse] a TCP subscriber to # (QoS 1) that never reads is dropped from and closed; a QoS 1 stream loses nothing",
  async () => {
    const reasons = disconnectReasons();
    await frozenTcpSubscriber(running.port);
    const stream = await startQos1Stream(clients, running.port, { name: "frozen", count: 500 });
    await publishNoise(running.port);
    await stream.finish();
    await waitUntil(
      () => reasons.has("frozen-tcp"),
      drainTimeoutMs + 5000,
      () => "the frozen subscriber to be disconnected",
    );
    expect(reasons.get("frozen-tcp")).toBe("slow-consumer");
    expect(running.broker.stats.messagesDropped).toBeGreaterThan(0);
    expect([...reasons.keys()]).toEqual(["frozen-tcp"]);
  },
  TEST_TIMEOUT_MS,
);

it(
  "[abuse] a WebSocket subscriber that stops reading gets the TCP treatment: QoS 0 dropped beyond the buffer, closed after the drain timeout",
  async () => {
    const { port: wsPort } = await running.broker.listenWebSocket({ port: 0, host: "127.0.0.1" });
    const reasons = disconnectReasons();
    await frozenWebSocketSubscriber(wsPort);
    const overWebSocket = { protocol: "ws", path: "/mqtt" } as const;
    const stream = await startQos1Stream(clients, wsPort, {
      name: "frozen-ws",
      count: 500,
      connect: overWebSocket,
    });
    await publishNoise(wsPort, overWebSocket);
    await stream.finish();
    await waitUntil(
      () => reasons.has("frozen-ws"),
      drainTimeoutMs + 5000,
      () => "the frozen WebSocket subscriber to be disconnected",
    );
    expect(reasons.get("frozen-ws")).toBe("slow-consumer");
    expect(running.broker.stats.messagesDropped).toBeGreaterThan(0);
    expect([...reasons.keys()]).toEqual(["frozen-ws"]);
  },
  TEST_TIMEOUT_MS,
);
