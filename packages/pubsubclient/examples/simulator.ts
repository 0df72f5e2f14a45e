/*
 Many devices in one process: N copies of device.ts, each with its own PubSubClient and
 TcpClient (as N boards would have), driven by one shared loop, against one broker. Every few
 seconds it prints a summary line: how many devices are connected and how many readings have
 been published in total.

 Each device's loop runs concurrently inside the shared loop, so one device that is waiting
 for a CONNACK (or for a dead broker's TCP timeout) does not hold up the others.
*/
import { millis } from "@ternmq/pubsubclient";
import { createDeviceSketch, type DeviceSketch } from "./device.js";
import type { ExampleOptions, ExampleSketch } from "./example.js";

export interface SimulatorOptions extends ExampleOptions {
  /** Number of devices, named device1 .. deviceN. */
  readonly devices: number;
  /** Time between summary lines; default 2000 ms. */
  readonly summaryIntervalMs?: number;
  /** Time between one device's readings; default 5000 ms. */
  readonly temperatureIntervalMs?: number;
  /** Time between one device's reconnect attempts; default 5000 ms. */
  readonly reconnectIntervalMs?: number;
}

export interface SimulatorSummary {
  readonly connected: number;
  readonly devices: number;
  readonly readingsPublished: number;
}

export interface SimulatorSketch extends ExampleSketch {
  readonly devices: readonly DeviceSketch[];
  summary(): SimulatorSummary;
  shutdown(): void;
}

export function createSimulatorSketch({
  host,
  port,
  writeLine,
  devices: count,
  summaryIntervalMs = 2000,
  temperatureIntervalMs,
  reconnectIntervalMs,
}: SimulatorOptions): SimulatorSketch {
  const devices = Array.from({ length: count }, (_, index) =>
    createDeviceSketch({
      host,
      port,
      writeLine,
      id: `device${index + 1}`,
      printReadings: false,
      ...(temperatureIntervalMs === undefined ? {} : { temperatureIntervalMs }),
      ...(reconnectIntervalMs === undefined ? {} : { reconnectIntervalMs }),
    }),
  );
  let lastSummary = millis();

  function summary(): SimulatorSummary {
    let connected = 0;
    let readingsPublished = 0;
    for (const device of devices) {
      if (device.client.connected()) connected += 1;
      readingsPublished += device.readingsPublished;
    }
    return { connected, devices: devices.length, readingsPublished };
  }

  function setup(): void {
    for (const device of devices) device.setup();
  }

  async function loop(): Promise<void> {
    await Promise.all(devices.map((device) => device.loop()));
    const now = millis();
    if (now - lastSummary >= summaryIntervalMs) {
      lastSummary = now;
      const { connected, readingsPublished } = summary();
      writeLine(
        `${connected}/${devices.length} devices connected, ${readingsPublished} readings published`,
      );
    }
  }

  function shutdown(): void {
    for (const device of devices) device.shutdown();
  }

  return { devices, summary, setup, loop, shutdown };
}
