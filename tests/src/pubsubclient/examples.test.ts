/**
 * @ternmq/pubsubclient's examples, end to end, against our broker and against a real
 * mosquitto: what a person running each example would see, checked from the other side by
 * MQTT.js and mosquitto_sub subscribers. The device's will is checked by SIGKILLing the device
 * as a real process (a board losing power).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBasicSketch } from "../../../packages/pubsubclient/examples/basic.js";
import { createDeviceSketch } from "../../../packages/pubsubclient/examples/device.js";
import { createReconnectNonblockingSketch } from "../../../packages/pubsubclient/examples/reconnect-nonblocking.js";
import { createSimulatorSketch } from "../../../packages/pubsubclient/examples/simulator.js";
import { ExampleProcesses } from "../helpers/example-process.js";
import { MosquittoClients, messageFormat } from "../helpers/mosquitto-clients.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { type SwitchableProxy, startSwitchableProxy } from "../helpers/switchable-proxy.js";
import { sleep, waitUntil } from "../helpers/with-timeout.js";
import { brokersUnderTest, type TestBroker } from "./brokers.js";
import { publishUntil } from "./publish-until.js";
import { RunningSketches, SerialLines } from "./running-sketches.js";

// Every wait below is bounded by its own, shorter timeout with a readable message; this is
// the backstop for a test's sum of waits on a loaded 2-core machine.
vi.setConfig({ testTimeout: 15_000 });

const host = "127.0.0.1";
/** Bound of a wait for something that happens within milliseconds on a healthy machine. */
const waitMs = 4000;
/** A child process needs node + tsx to start first: seconds on a loaded 2-core machine. */
const processStartMs = 12_000;

describe.each(brokersUnderTest)("PubSubClient examples against $name", (brokerUnderTest) => {
  let broker: TestBroker;
  /** The broker of the current test, if it started (afterEach closes it once). */
  let started: TestBroker | undefined;
  let proxy: SwitchableProxy | undefined;
  const sketches = new RunningSketches();
  const mqttjs = new MqttJsClientPool();
  const mosquittoClients = new MosquittoClients();
  const processes = new ExampleProcesses();

  beforeEach(async () => {
    broker = await brokerUnderTest.start();
    started = broker;
  });

  afterEach(async () => {
    try {
      await sketches.stopAll();
    } finally {
      await processes.killAll();
      await mosquittoClients.killAll();
      await mqttjs.closeAll();
      await proxy?.close();
      proxy = undefined;
      await started?.close();
      started = undefined;
    }
  });

  it("basic: 'hello world' reaches an outTopic subscriber and an inTopic message reaches the callback", async () => {
    const subscriber = await mqttjs.connect(broker.port);
    await subscriber.client.subscribeAsync("outTopic", { qos: 0 });
    const serial = new SerialLines();
    const sketch = createBasicSketch({ host, port: broker.port, writeLine: serial.writeLine });
    sketches.start(sketch, [sketch.client]);

    const [hello] = await subscriber.waitForMessages(1, waitMs);
    expect(hello).toMatchObject({ topic: "outTopic", payload: "hello world" });
    expect(serial.lines[0]).toBe("Attempting MQTT connection...connected");

    await publishUntil(
      subscriber,
      "inTopic",
      "switch the LED on",
      () => serial.matching(/^Message arrived/).length > 0,
      () => `the callback to print; Serial: ${JSON.stringify(serial.lines)}`,
    );
    expect(serial.matching(/^Message arrived/)[0]).toBe(
      "Message arrived [inTopic] switch the LED on",
    );
  });

  it("basic: retries every few seconds while the broker refuses, printing the state code", async () => {
    proxy = await startSwitchableProxy(broker.port);
    await proxy.cut();
    const serial = new SerialLines();
    const sketch = createBasicSketch({
      host,
      port: proxy.port,
      writeLine: serial.writeLine,
      retryDelayMs: 100,
    });
    sketches.start(sketch, [sketch.client]);
    // 2.8 sets MQTT_CONNECT_FAILED (-2) when the network connection cannot be opened.
    await serial.waitFor(/failed, rc=-2 try again in 5 seconds/, waitMs);
    await waitUntil(
      () => serial.matching(/failed, rc=-2/).length >= 2,
      waitMs,
      () => `a second attempt; Serial: ${JSON.stringify(serial.lines)}`,
    );
    await proxy.restore();
    await serial.waitFor(/^Attempting MQTT connection\.\.\.connected$/, waitMs);
    expect(sketch.client.connected()).toBe(true);
  });

  it("device: publishes retained 'ON' to its status topic and a temperature every interval", async () => {
    const serial = new SerialLines();
    const device = createDeviceSketch({
      host,
      port: broker.port,
      writeLine: serial.writeLine,
      id: "device1",
      temperatureIntervalMs: 100,
    });
    const live = await mqttjs.connect(broker.port);
    await live.client.subscribeAsync("home/devices/device1/temperature", { qos: 0 });
    sketches.start(device, [device.client]);
    await serial.waitFor(/^device1 connected, status ON$/, waitMs);

    // A subscriber arriving after the fact learns the status from the retained message.
    const late = await mqttjs.connect(broker.port);
    await late.client.subscribeAsync("home/devices/device1/status", { qos: 1 });
    const [status] = await late.waitForMessages(1, waitMs);
    expect(status).toMatchObject({
      topic: "home/devices/device1/status",
      payload: "ON",
      retain: true,
    });

    const readings = await live.waitForMessages(3, waitMs);
    for (const reading of readings) {
      expect(reading.topic).toBe("home/devices/device1/temperature");
      expect(reading.payload).toMatch(/^\d{2}\.\d$/);
      expect(Math.abs(Number(reading.payload) - 21)).toBeLessThanOrEqual(3);
    }
  });

  it(
    "device: when its process is SIGKILLed, the broker publishes its retained will 'OFF'",
    async () => {
      const device = processes.start("device", [
        "--host",
        host,
        "--port",
        String(broker.port),
        "--id",
        "device7",
      ]);
      await device.waitForLine(/^device7 connected, status ON$/, processStartMs);
      const watcher = await mqttjs.connect(broker.port);
      await watcher.client.subscribeAsync("home/devices/device7/status", { qos: 1 });
      const [alive] = await watcher.waitForMessages(1, waitMs);
      expect(alive).toMatchObject({ payload: "ON", retain: true });

      // SIGKILL: no DISCONNECT is sent, the kernel closes the socket, the broker sends the will.
      device.kill("SIGKILL");
      await device.exited;
      const [, dead] = await watcher.waitForMessages(2, waitMs);
      expect(dead).toMatchObject({ topic: "home/devices/device7/status", payload: "OFF" });

      // A subscriber that arrives after the death still learns it: the will was retained.
      const late = mosquittoClients.sub([
        "-h",
        host,
        "-p",
        String(broker.port),
        "-t",
        "home/devices/device7/status",
        "-q",
        "1",
        "-C",
        "1",
        "-F",
        messageFormat,
      ]);
      const [retained] = await late.waitForMessages(1, waitMs);
      expect(retained).toEqual({
        topic: "home/devices/device7/status",
        qos: 1,
        retain: true,
        payload: "OFF",
      });
    },
    processStartMs + 3 * waitMs,
  );

  it(
    "device: on SIGTERM it publishes retained 'OFF' itself and exits 0 (no will)",
    async () => {
      const device = processes.start("device", [
        "--host",
        host,
        "--port",
        String(broker.port),
        "--id",
        "device8",
      ]);
      await device.waitForLine(/^device8 connected, status ON$/, processStartMs);
      device.kill("SIGTERM");
      await device.exited;
      expect(device.exitCode).toBe(0);
      // The device's own "OFF" is QoS 0; the will would have been QoS 1 [MQTT-3.1.2-8]
      // (DISCONNECT discards the will [MQTT-3.1.2-10]), so a QoS 1 subscriber tells them apart.
      const late = mosquittoClients.sub([
        "-h",
        host,
        "-p",
        String(broker.port),
        "-t",
        "home/devices/device8/status",
        "-q",
        "1",
        "-C",
        "1",
        "-F",
        messageFormat,
      ]);
      const [retained] = await late.waitForMessages(1, waitMs);
      expect(retained).toEqual({
        topic: "home/devices/device8/status",
        qos: 0,
        retain: true,
        payload: "OFF",
      });
    },
    processStartMs + 2 * waitMs,
  );

  it("simulator: 20 devices in one process all report 'ON' and are counted in the summary", async () => {
    const watcher = await mqttjs.connect(broker.port);
    await watcher.client.subscribeAsync("home/devices/+/status", { qos: 1 });
    const serial = new SerialLines();
    const simulator = createSimulatorSketch({
      host,
      port: broker.port,
      writeLine: serial.writeLine,
      devices: 20,
      summaryIntervalMs: 100,
      temperatureIntervalMs: 200,
    });
    sketches.start(
      simulator,
      simulator.devices.map((device) => device.client),
    );
    const statusOf = () =>
      new Map(watcher.messages.map((message) => [message.topic, message.payload]));
    await waitUntil(
      () => [...statusOf().values()].filter((payload) => payload === "ON").length === 20,
      waitMs * 2,
      () => `20 devices ON; saw ${JSON.stringify([...statusOf()])}`,
    );
    const expected = Array.from({ length: 20 }, (_, index) => [
      `home/devices/device${index + 1}/status`,
      "ON",
    ]);
    expect([...statusOf()].sort()).toEqual(expected.sort());
    await serial.waitFor(/^20\/20 devices connected, [1-9]\d* readings published$/, waitMs);

    // Ctrl-C: each device says goodbye with a retained "OFF" before disconnecting.
    simulator.shutdown();
    await waitUntil(
      () => [...statusOf().values()].filter((payload) => payload === "OFF").length === 20,
      waitMs,
      () => `20 devices OFF after shutdown; saw ${JSON.stringify([...statusOf()])}`,
    );
  });

  it("reconnect-nonblocking: reconnects after the network is cut, and resubscribes", async () => {
    proxy = await startSwitchableProxy(broker.port);
    const subscriber = await mqttjs.connect(broker.port);
    await subscriber.client.subscribeAsync("outTopic", { qos: 0 });
    const serial = new SerialLines();
    const sketch = createReconnectNonblockingSketch({
      host,
      port: proxy.port,
      writeLine: serial.writeLine,
      reconnectIntervalMs: 200,
    });
    sketches.start(sketch, [sketch.client]);
    await subscriber.waitForMessages(1, waitMs);

    await proxy.cut();
    // 2.8: loop() notices the dead connection and sets MQTT_CONNECTION_LOST (-3)...
    await waitUntil(
      () => !sketch.client.connected(),
      waitMs,
      () => "the sketch to notice the cut",
    );
    // ... then each attempt while the broker is unreachable fails with MQTT_CONNECT_FAILED.
    await serial.waitFor(/^connect failed, rc=-2$/, waitMs);
    const loopsWhileDown = await countLoops(sketch, 300);
    expect(loopsWhileDown).toBeGreaterThan(10);

    await proxy.restore();
    const [, again] = await subscriber.waitForMessages(2, waitMs);
    expect(again).toMatchObject({ topic: "outTopic", payload: "hello world" });
    expect(serial.matching(/^connected$/)).toHaveLength(2);
    expect(proxy.connections).toBe(2);

    await publishUntil(
      subscriber,
      "inTopic",
      "after the cut",
      () => serial.matching(/^Message arrived/).length > 0,
      () => `the resubscribed callback; Serial: ${JSON.stringify(serial.lines)}`,
    );
    expect(serial.matching(/^Message arrived/)[0]).toBe("Message arrived [inTopic] after the cut");
  });
});

/**
 * Counts the sketch's loop() calls during `ms`, by wrapping its loop: the non-blocking
 * example must keep looping between reconnect attempts (a blocking one would not).
 */
async function countLoops(sketch: { loop(): void | Promise<void> }, ms: number): Promise<number> {
  const original = sketch.loop;
  let calls = 0;
  sketch.loop = () => {
    calls += 1;
    return original();
  };
  try {
    await sleep(ms);
  } finally {
    sketch.loop = original;
  }
  return calls;
}
