import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLimitCounters } from "../../src/limits.js";
import { SYS_TOPICS, type SysPublisher, startSysPublisher } from "../../src/sys/index.js";
import type { SysStats } from "../../src/sys/sys-values.js";

interface Published {
  topic: string;
  value: string;
  qos: number;
  retain: boolean;
}

/** A stand-in with the Broker's shape: stats, publish and the client-connected event. */
class FakeBroker extends EventEmitter {
  readonly stats: { -readonly [K in keyof SysStats]: SysStats[K] } = {
    startedAt: 0,
    clientsConnected: 0,
    clientsDisconnected: 0,
    clientsMaximum: 0,
    clientsTotal: 0,
    messagesReceived: 0,
    messagesSent: 0,
    messagesDropped: 0,
    bytesReceived: 0,
    bytesSent: 0,
    subscriptionsCount: 0,
    retainedCount: 0,
    limits: createLimitCounters(),
  };
  readonly published: Published[] = [];
  failNext = false;

  async publish(message: {
    topic: string;
    payload: Uint8Array;
    qos: 0;
    retain: boolean;
  }): Promise<void> {
    if (this.failNext) throw new Error("broker closing");
    this.published.push({
      topic: message.topic,
      value: Buffer.from(message.payload).toString(),
      qos: message.qos,
      retain: message.retain,
    });
  }

  take(): Map<string, string> {
    const taken = new Map(this.published.map((message) => [message.topic, message.value]));
    this.published.length = 0;
    return taken;
  }
}

describe("startSysPublisher", () => {
  let broker: FakeBroker;
  let publisher: SysPublisher | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    broker = new FakeBroker();
  });

  afterEach(() => {
    publisher?.stop();
    publisher = undefined;
    vi.useRealTimers();
  });

  it("publishes every $SYS topic as a retained QoS 0 message on the first tick", async () => {
    publisher = startSysPublisher(broker, { intervalSeconds: 10, version: "0.1.0" });
    expect(broker.published).toEqual([]); // not inside the Broker constructor
    await vi.advanceTimersByTimeAsync(0);
    expect(broker.published.map((message) => message.topic)).toEqual(SYS_TOPICS);
    expect(broker.published.every((message) => message.qos === 0 && message.retain)).toBe(true);
    expect(broker.take().get("$SYS/broker/version")).toBe("ternmq version 0.1.0");
  });

  it("publishes every interval only the values that changed", async () => {
    publisher = startSysPublisher(broker, { intervalSeconds: 10, version: "0.1.0" });
    await vi.advanceTimersByTimeAsync(0);
    broker.take();
    broker.stats.clientsConnected = 2;
    broker.stats.clientsMaximum = 2;
    await vi.advanceTimersByTimeAsync(10_000);
    const second = broker.take();
    expect(second).toEqual(
      new Map([
        ["$SYS/broker/uptime", "10 seconds"],
        ["$SYS/broker/clients/connected", "2"],
        ["$SYS/broker/clients/maximum", "2"],
      ]),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect([...broker.take().keys()]).toEqual(["$SYS/broker/uptime"]);
  });

  it("counts CONNECTs from the client-connected event into load/connections", async () => {
    publisher = startSysPublisher(broker, { intervalSeconds: 60, version: "0.1.0" });
    await vi.advanceTimersByTimeAsync(0);
    broker.take();
    for (let client = 0; client < 60; client++) broker.emit("client-connected");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(broker.take().get("$SYS/broker/load/connections/1min")).toBe("37.93");
  });

  it("uses the injected clock for uptime", async () => {
    let clock = 5_000;
    broker.stats.startedAt = 5_000;
    publisher = startSysPublisher(broker, { intervalSeconds: 1, version: "0", now: () => clock });
    clock = 125_900;
    await publisher.publishNow();
    expect(broker.take().get("$SYS/broker/uptime")).toBe("120 seconds");
  });

  it("retries a value whose publish failed on the next tick", async () => {
    publisher = startSysPublisher(broker, { intervalSeconds: 10, version: "0.1.0" });
    broker.failNext = true;
    await vi.advanceTimersByTimeAsync(0);
    expect(broker.published).toEqual([]);
    broker.failNext = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(broker.take().get("$SYS/broker/version")).toBe("ternmq version 0.1.0");
  });

  it("publishes nothing after stop() and removes its listener", async () => {
    publisher = startSysPublisher(broker, { intervalSeconds: 1, version: "0.1.0" });
    expect(broker.listenerCount("client-connected")).toBe(1);
    publisher.stop();
    publisher.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await publisher.publishNow();
    expect(broker.published).toEqual([]);
    expect(broker.listenerCount("client-connected")).toBe(0);
  });

  it("rejects an interval that is not a positive number of seconds", () => {
    for (const intervalSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => startSysPublisher(broker, { intervalSeconds, version: "0" })).toThrow(
        RangeError,
      );
    }
  });
});
