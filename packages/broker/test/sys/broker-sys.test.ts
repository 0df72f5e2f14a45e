import { Decoder, encode, type Packet, type PublishPacket } from "@ternmq/codec";
import { duplexPair } from "@ternmq/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { Broker } from "../../src/index.js";
import { SYS_TOPICS, type SysPublisher, startSysPublisher } from "../../src/sys/index.js";

/** A minimal MQTT 3.1.1 client over an in-memory duplex pair, for $SYS tests. */
class TestClient {
  private readonly decoder = new Decoder({ role: "client", protocolVersion: 4 });
  private readonly received: Packet[] = [];
  private wake: (() => void) | undefined;
  private readonly stream;

  constructor(broker: Broker) {
    const [clientSide, brokerSide] = duplexPair();
    this.stream = clientSide;
    broker.handleConnection(brokerSide, { remoteAddress: "test" });
    clientSide.on("data", (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
        this.received.push(packet);
      }
      this.wake?.();
    });
  }

  send(packet: Packet): void {
    this.stream.write(encode(packet, { protocolVersion: 4 }));
  }

  /** Waits for the next packet of `type`, skipping none (fails on a timeout). */
  async next<T extends Packet["type"]>(
    type: T,
    timeoutMs = 3_000,
  ): Promise<Extract<Packet, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((packet) => packet.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0] as Extract<Packet, { type: T }>;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async connectAndSubscribe(clientId: string, topicFilter: string): Promise<void> {
    this.send({ type: "connect", protocolVersion: 4, clientId, clean: true, keepalive: 0 });
    expect((await this.next("connack")).reasonCode).toBe(0);
    this.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter, qos: 0 }] });
    expect((await this.next("suback")).reasonCodes).toEqual([0]);
  }

  /** Collects PUBLISH packets until every topic in `topics` has arrived; returns the last of each. */
  async collect(topics: readonly string[]): Promise<Map<string, PublishPacket>> {
    const seen = new Map<string, PublishPacket>();
    while (!topics.every((topic) => seen.has(topic))) {
      const publish = await this.next("publish");
      seen.set(publish.topic, publish);
    }
    return seen;
  }

  close(): void {
    this.stream.destroy();
  }
}

const text = (packet: PublishPacket | undefined): string =>
  Buffer.from(packet?.payload ?? new Uint8Array()).toString();

describe("$SYS against a real Broker", () => {
  const cleanups: (() => void | Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function start(options: ConstructorParameters<typeof Broker>[0]): Broker {
    const broker = new Broker({ logger: { level: "silent" }, ...options });
    cleanups.push(() => broker.close());
    return broker;
  }

  function client(broker: Broker): TestClient {
    const testClient = new TestClient(broker);
    cleanups.push(() => testClient.close());
    return testClient;
  }

  function publisher(broker: Broker): SysPublisher {
    const sys = startSysPublisher(broker, { intervalSeconds: 3600, version: "9.9.9" });
    cleanups.push(() => sys.stop());
    return sys;
  }

  it("a subscriber to $SYS/# receives every topic, with the broker's counters", async () => {
    const broker = start({ sysInterval: 0 });
    const sys = publisher(broker);
    const subscriber = client(broker);
    await subscriber.connectAndSubscribe("sys-watcher", "$SYS/#");
    await sys.publishNow();
    const received = await subscriber.collect(SYS_TOPICS);
    expect(text(received.get("$SYS/broker/version"))).toBe("ternmq version 9.9.9");
    expect(text(received.get("$SYS/broker/uptime"))).toMatch(/^\d+ seconds$/);
    expect(text(received.get("$SYS/broker/clients/connected"))).toBe("1");
    expect(text(received.get("$SYS/broker/subscriptions/count"))).toBe("1");
    for (const topic of SYS_TOPICS) {
      expect(text(received.get(topic))).toMatch(/^(\d+(\.\d\d)?|\d+ seconds|ternmq version .+)$/);
      expect(received.get(topic)?.qos).toBe(0);
    }
  });

  it("$SYS values are retained: a later subscriber gets them with the retain flag", async () => {
    const broker = start({ sysInterval: 0 });
    const sys = publisher(broker);
    await sys.publishNow();
    const late = client(broker);
    await late.connectAndSubscribe("late", "$SYS/broker/version");
    const version = await late.next("publish");
    expect([version.topic, text(version), version.retain]).toEqual([
      "$SYS/broker/version",
      "ternmq version 9.9.9",
      true,
    ]);
  });

  it("the broker publishes $SYS every sysInterval seconds by itself", async () => {
    const broker = start({ sysInterval: 1 });
    const subscriber = client(broker);
    await subscriber.connectAndSubscribe("ticker", "$SYS/broker/uptime");
    const first = await subscriber.next("publish", 3_000);
    const second = await subscriber.next("publish", 3_000);
    expect([first.topic, second.topic]).toEqual(["$SYS/broker/uptime", "$SYS/broker/uptime"]);
    expect(text(second)).not.toBe(text(first));
  });
});
