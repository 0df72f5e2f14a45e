/**
 * The limits of issue 9 against a real broker over TCP, each with its counter in
 * `stats.limits`. Rates use an injected clock that the test moves: no sleeps, no timing
 * assertions.
 */

import { MqttError } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerLimits } from "../src/index.js";
import { resolveLimits } from "../src/limits.js";
import { Harness, text } from "./helpers/harness.js";
import { publishPacket, subscribe } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

/** A broker with `limits` and a clock that only moves when the test says so. */
async function brokerWithClock(limits: Partial<BrokerLimits>) {
  const clock = { now: 1_000_000 };
  const started = await t.broker({ limits, now: () => clock.now });
  return { ...started, clock };
}

describe("validation of the new limits", () => {
  const unlimited = Number.POSITIVE_INFINITY;

  it("accepts Infinity for the count and rate limits (their off switch)", () => {
    const limits = resolveLimits({
      maxConnectionsPerAddress: unlimited,
      connectionsPerSecondPerAddress: unlimited,
      messagesPerSecondPerClient: unlimited,
      bytesPerSecondPerClient: unlimited,
      maxSubscriptionsPerClient: unlimited,
    });
    expect(limits.maxSubscriptionsPerClient).toBe(unlimited);
  });

  it.each<Partial<BrokerLimits>>([
    { maxTopicLength: 0 },
    { maxTopicLength: 65_536 },
    { maxTopicLength: unlimited },
    { messagesPerSecondPerClient: 0 },
    { bytesPerSecondPerClient: 1.5 },
    { maxConnectionsPerAddress: -1 },
  ])("refuses %o with MQTT_ERR_BROKER_INVALID_OPTION", (limits) => {
    let error: unknown;
    try {
      resolveLimits(limits);
    } catch (caught) {
      error = caught;
    }
    expect(MqttError.isInstance(error) && error.code).toBe("MQTT_ERR_BROKER_INVALID_OPTION");
  });
});

describe("per-address limits (closed at accept, before CONNECT is read)", () => {
  it("maxConnectionsPerAddress closes the connection beyond, and counts it", async () => {
    const { port, broker } = await t.broker({ limits: { maxConnectionsPerAddress: 2 } });
    const first = await t.client(port, { clientId: "one" });
    await t.raw(port); // no CONNECT yet: still counts against the address
    const third = await t.raw(port);
    await third.waitClosed();
    expect(broker.stats.limits.connectionsPerAddressExceeded).toBe(1);
    first.destroy();
    await first.waitClosed();
    // The broker sees the close asynchronously; a new connection is admitted once it has.
    let admitted = false;
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      const next = await t.raw(port);
      const connack = await next.connect({ clientId: "again" }).catch(() => undefined);
      admitted = connack?.reasonCode === 0;
    }
    expect(admitted).toBe(true);
  });

  it("connectionsPerSecondPerAddress closes the excess and refills with the clock", async () => {
    const { port, broker, clock } = await brokerWithClock({ connectionsPerSecondPerAddress: 3 });
    const admitted = await Promise.all(
      [0, 1, 2].map((index) => t.client(port, { clientId: `c${index}` })),
    );
    expect(admitted).toHaveLength(3);
    const excess = await t.raw(port);
    await excess.waitClosed();
    expect(broker.stats.limits.connectionRateExceeded).toBe(1);
    clock.now += 334; // one token back at 3/s
    expect((await (await t.raw(port)).connect({ clientId: "later" })).reasonCode).toBe(0);
    await (await t.raw(port)).waitClosed();
    expect(broker.stats.limits.connectionRateExceeded).toBe(2);
  });
});

describe("per-client PUBLISH rates (injected clock)", () => {
  it("drops QoS 0 beyond messagesPerSecondPerClient and counts it; the rest is delivered", async () => {
    const { port, broker, clock } = await brokerWithClock({ messagesPerSecondPerClient: 3 });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, [["rate/#", 0]]);
    const publisher = await t.client(port, { clientId: "pub" });
    for (let index = 1; index <= 5; index++) publisher.send(publishPacket("rate/a", `m${index}`));
    const first = [];
    for (let index = 0; index < 3; index++)
      first.push(text((await subscriber.expect("publish")).payload));
    expect(first).toEqual(["m1", "m2", "m3"]);
    publisher.send({ type: "pingreq" }); // the pings order the test after the five PUBLISH
    await publisher.expect("pingresp");
    expect(broker.stats.limits.messagesRateDropped).toBe(2);
    clock.now += 1000;
    publisher.send(publishPacket("rate/a", "m6"));
    expect(text((await subscriber.expect("publish")).payload)).toBe("m6");
  });

  it("drops QoS 0 beyond bytesPerSecondPerClient (payload bytes)", async () => {
    const { port, broker } = await brokerWithClock({ bytesPerSecondPerClient: 10 });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, [["bytes", 0]]);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publishPacket("bytes", "12345678"));
    publisher.send(publishPacket("bytes", "123")); // 11 > 10: dropped
    publisher.send(publishPacket("bytes", "12")); // exactly the 2 left
    publisher.send({ type: "pingreq" });
    await publisher.expect("pingresp");
    expect(text((await subscriber.expect("publish")).payload)).toBe("12345678");
    expect(text((await subscriber.expect("publish")).payload)).toBe("12");
    expect(broker.stats.limits.messagesRateDropped).toBe(1);
  });

  it("slows QoS 1 beyond the rate (reads paused) but delivers every message in order", async () => {
    const { port, broker } = await brokerWithClock({ messagesPerSecondPerClient: 1 });
    const subscriber = await t.client(port, { clientId: "sub" });
    await subscribe(subscriber, [["slow", 1]]);
    const publisher = await t.client(port, { clientId: "pub" });
    publisher.send(publishPacket("slow", "1", 1, { packetId: 1 }));
    publisher.send(publishPacket("slow", "2", 1, { packetId: 2 }));
    publisher.send(publishPacket("slow", "3", 1, { packetId: 3 }));
    expect((await publisher.expect("puback")).packetId).toBe(1);
    expect((await publisher.expect("puback")).packetId).toBe(2);
    // The frozen clock makes the second message owe one second: the third waits that long.
    await publisher.expectNothing(300);
    expect(broker.stats.limits.messagesRateDelayed).toBe(1);
    expect((await publisher.expect("puback", 3000)).packetId).toBe(3);
    const received = [];
    for (let index = 0; index < 3; index++) {
      const packet = await subscriber.expect("publish");
      received.push(text(packet.payload));
      subscriber.send({ type: "puback", packetId: packet.packetId ?? 0 });
    }
    expect(received).toEqual(["1", "2", "3"]);
    expect(broker.stats.limits.messagesRateDropped).toBe(0);
  });
});

describe("subscriptions and topics", () => {
  it("maxSubscriptionsPerClient: SUBACK 0x80 for a new filter beyond, a replaced one is fine", async () => {
    const { port, broker } = await t.broker({ limits: { maxSubscriptionsPerClient: 2 } });
    const client = await t.client(port, { clientId: "subs" });
    expect(
      await subscribe(client, [
        ["a", 0],
        ["b", 1],
        ["c", 0],
      ]),
    ).toEqual([0, 1, 0x80]);
    expect(await subscribe(client, [["a", 1]], 2)).toEqual([1]);
    client.send({ type: "unsubscribe", packetId: 3, topicFilters: ["b"] });
    await client.expect("unsuback");
    expect(await subscribe(client, [["c", 0]], 4)).toEqual([0]);
    expect(broker.stats.limits.subscriptionsRefused).toBe(1);
    expect(broker.stats.subscriptionsCount).toBe(2);
  });

  it("maxTopicLength: a longer filter gets 0x80, a longer topic name closes the connection", async () => {
    const { port, broker } = await t.broker({ limits: { maxTopicLength: 8 } });
    const client = await t.client(port, { clientId: "topics" });
    expect(
      await subscribe(client, [
        ["12345678", 0],
        ["123456789", 0],
      ]),
    ).toEqual([0, 0x80]);
    expect(await subscribe(client, [["$share/g/1234", 0]], 2)).toEqual([0x80]); // whole string
    expect(broker.stats.limits.topicsTooLong).toBe(2);
    client.send(publishPacket("123456789", "x"));
    await client.waitClosed();
    expect(broker.stats.limits.topicsTooLong).toBe(3);
  });

  it("maxTopicLength applies to will topics; maxTopicLevels is counted too", async () => {
    const { port, broker } = await t.broker({ limits: { maxTopicLength: 8, maxTopicLevels: 2 } });
    const withWill = await t.raw(port);
    withWill.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "will",
      clean: true,
      keepalive: 0,
      will: { topic: "123456789", payload: new Uint8Array(0), qos: 0, retain: false },
    });
    await withWill.waitClosed();
    expect(broker.stats.limits.topicsTooLong).toBe(1);
    const client = await t.client(port, { clientId: "deep" });
    expect(await subscribe(client, [["a/b/c", 0]])).toEqual([0x80]);
    expect(broker.stats.limits.topicsTooDeep).toBe(1);
  });
});

describe("counters of the older limits", () => {
  it("counts connect timeouts, packets over maxPacketSize, long client ids, maxConnections", async () => {
    const { port, broker } = await t.broker({
      limits: { connectTimeoutMs: 50, maxPacketSize: 64, maxClientIdLength: 23, maxConnections: 1 },
    });
    const silent = await t.raw(port);
    await silent.waitClosed();
    expect(broker.stats.limits.connectTimeouts).toBe(1);

    const large = await t.raw(port);
    large.sendBytes(Uint8Array.of(0x10, 0xc8, 0x01)); // CONNECT announcing 200 bytes
    await large.waitClosed();
    expect(broker.stats.limits.packetsTooLarge).toBe(1);

    const longId = await t.raw(port);
    expect((await longId.connect({ clientId: "x".repeat(24) })).reasonCode).toBe(2);
    expect(broker.stats.limits.clientIdsTooLong).toBe(1);

    await t.client(port, { clientId: "only" });
    const second = await t.raw(port);
    expect((await second.connect({ clientId: "second" })).reasonCode).toBe(3);
    expect(broker.stats.limits.connectionsRefused).toBe(1);
  });
});
