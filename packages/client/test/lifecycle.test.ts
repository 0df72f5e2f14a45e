/**
 * Reconnect, resubscribe, resend and the offline queue, against an in-memory server with a
 * hand-driven clock: every delay is asserted exactly, nothing waits on real time.
 */
import { describe, expect, it } from "vitest";
import { clientOnFakeServer, flush } from "./helpers/fake-server.js";
import { rejection } from "./helpers/harness.js";

describe("reconnect with exponential backoff and full jitter", () => {
  it("waits random() x min(max, min x factor^attempt), resets after a CONNACK", async () => {
    const { server, timers, client } = clientOnFakeServer({
      reconnect: { minDelayMs: 1000, maxDelayMs: 5000, factor: 2 },
    });
    const events: string[] = [];
    for (const name of ["connect", "reconnect", "close", "offline"] as const) {
      client.on(name, () => events.push(name));
    }
    const first = await server.accept(0);
    await flush();
    expect(client.state).toBe("connected");
    first.cut();
    expect(client.state).toBe("waiting");
    expect(events).toStrictEqual(["connect", "offline", "close"]);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const [delay] = timers.pending();
      delays.push(delay ?? -1);
      timers.advance(delay ?? 0);
      (await server.connection(attempt)).cut(new Error("ECONNREFUSED"));
    }
    expect(delays).toStrictEqual([500, 1000, 2000, 2500]);
    timers.advance(timers.pending()[0] ?? 0);
    await server.accept(5);
    await flush();
    expect(client.state).toBe("connected");
    server.connections[5]?.cut();
    expect(timers.pending()).toStrictEqual([500]);
    expect(events.filter((name) => name === "reconnect")).toHaveLength(5);
  });

  it("jitter: random() = 0 reconnects at once, random() close to 1 waits the whole bound", async () => {
    for (const [random, expected] of [
      [0, 0],
      [0.999, 999],
    ] as const) {
      const { server, timers } = clientOnFakeServer({ random: () => random });
      await server.accept(0);
      await flush();
      server.connections[0]?.cut();
      expect(timers.pending()).toStrictEqual([expected]);
    }
  });

  it("[MQTT-3.2.2-5] CONNACK refusal 5 (not authorized) stops reconnecting and settles everything", async () => {
    const { server, timers, client, errors } = clientOnFakeServer();
    const publish = client.publish("t", "x", { qos: 1 });
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    connection.send({ type: "connack", sessionPresent: false, reasonCode: 5 });
    expect(client.state).toBe("closed");
    expect(timers.pending()).toStrictEqual([]);
    expect(errors.map((error) => [error.code, error.returnCode])).toStrictEqual([
      ["MQTT_ERR_CLIENT_CONNACK_REFUSED", 5],
    ]);
    expect((await rejection(publish)).code).toBe("MQTT_ERR_CLIENT_CONNECTION_CLOSED");
  });

  it("CONNACK refusal 3 (server unavailable) is retried", async () => {
    const { server, timers, client } = clientOnFakeServer();
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    connection.send({ type: "connack", sessionPresent: false, reasonCode: 3 });
    expect(client.state).toBe("waiting");
    timers.advance(500);
    await server.accept(1);
    await flush();
    expect(client.connected).toBe(true);
  });
});

describe("resubscribe and resend after a reconnect", () => {
  it("[MQTT-3.1.2-6] no session present: granted filters are subscribed again, before anything else", async () => {
    const { server, timers, client } = clientOnFakeServer();
    const first = await server.accept(0);
    const subscribed = client.subscribe({ "a/#": { qos: 1 }, b: { qos: 2 } });
    await first.waitFor(2);
    first.send({
      type: "suback",
      packetId: first.sent("subscribe")[0]?.packetId ?? 0,
      reasonCodes: [1, 0x80],
    });
    expect(await subscribed).toStrictEqual([
      { topicFilter: "a/#", returnCode: 1 },
      { topicFilter: "b", returnCode: 0x80 },
    ]);
    first.cut();
    timers.advance(500);
    const second = await server.accept(1, false);
    await second.waitFor(2);
    expect(second.received[1]).toMatchObject({
      type: "subscribe",
      subscriptions: [{ topicFilter: "a/#", qos: 1 }],
    });
    second.send({
      type: "suback",
      packetId: second.sent("subscribe")[0]?.packetId ?? 0,
      reasonCodes: [1],
    });
    // With the session kept by the server, nothing is resubscribed.
    second.cut();
    timers.advance(500);
    const third = await server.accept(2, true);
    await flush();
    expect(third.received.map((packet) => packet.type)).toStrictEqual(["connect"]);
  });

  it("[MQTT-4.4.0-1] session present: unacknowledged PUBLISH resent with DUP and its original id, PUBREL after PUBREC", async () => {
    const { server, timers, client } = clientOnFakeServer({ clean: false, clientId: "c1" });
    const first = await server.accept(0);
    const qos1 = client.publish("t/1", "one", { qos: 1 });
    const qos2 = client.publish("t/2", "two", { qos: 2 });
    const acknowledgedQos2 = client.publish("t/3", "three", { qos: 2 });
    await first.waitFor(4);
    const ids = first.sent("publish").map((packet) => packet.packetId);
    first.send({ type: "pubrec", packetId: ids[2] ?? 0 });
    await first.waitFor(5);
    first.cut();
    timers.advance(500);
    const second = await server.accept(1, true);
    await second.waitFor(4);
    expect(second.received.slice(1)).toMatchObject([
      { type: "publish", topic: "t/1", dup: true, packetId: ids[0] },
      { type: "publish", topic: "t/2", dup: true, packetId: ids[1] },
      { type: "pubrel", packetId: ids[2] },
    ]);
    second.send(
      { type: "puback", packetId: ids[0] ?? 0 },
      { type: "pubrec", packetId: ids[1] ?? 0 },
      { type: "pubcomp", packetId: ids[2] ?? 0 },
    );
    await second.waitFor(5);
    second.send({ type: "pubcomp", packetId: ids[1] ?? 0 });
    await expect(Promise.all([qos1, qos2, acknowledgedQos2])).resolves.toBeDefined();
  });

  it("clean session: unacknowledged messages are published again (nothing lost); a QoS 2 past PUBREC is done", async () => {
    const { server, timers, client } = clientOnFakeServer();
    const first = await server.accept(0);
    const qos1 = client.publish("t/1", "one", { qos: 1 });
    const qos2 = client.publish("t/2", "two", { qos: 2 });
    const received = client.publish("t/3", "three", { qos: 2 });
    await first.waitFor(4);
    first.send({ type: "pubrec", packetId: first.sent("publish")[2]?.packetId ?? 0 });
    await first.waitFor(5);
    first.cut();
    timers.advance(500);
    const second = await server.accept(1, false);
    await received; // the server had it (PUBREC): resolved, not sent again
    await second.waitFor(3);
    const again = second.sent("publish");
    expect(again.map((packet) => [packet.topic, packet.dup])).toStrictEqual([
      ["t/1", false],
      ["t/2", false],
    ]);
    second.send({ type: "puback", packetId: again[0]?.packetId ?? 0 });
    second.send({ type: "pubrec", packetId: again[1]?.packetId ?? 0 });
    await second.waitFor(4);
    second.send({ type: "pubcomp", packetId: again[1]?.packetId ?? 0 });
    await expect(Promise.all([qos1, qos2])).resolves.toBeDefined();
  });

  it("a SUBSCRIBE unanswered when the connection drops is sent again after the reconnect", async () => {
    const { server, timers, client } = clientOnFakeServer();
    const first = await server.accept(0);
    const subscribed = client.subscribe("x", { qos: 1 });
    await first.waitFor(2);
    first.cut();
    timers.advance(500);
    const second = await server.accept(1);
    await second.waitFor(2);
    const request = second.sent("subscribe")[0];
    expect(request?.subscriptions).toStrictEqual([{ topicFilter: "x", qos: 1 }]);
    second.send({ type: "suback", packetId: request?.packetId ?? 0, reasonCodes: [1] });
    expect(await subscribed).toStrictEqual([{ topicFilter: "x", returnCode: 1 }]);
  });
});

describe("bounded offline queue", () => {
  it("inflightWindow: the third QoS 1 message waits for a PUBACK, then leaves in order", async () => {
    const { server, client } = clientOnFakeServer({ inflightWindow: 2 });
    const connection = await server.accept(0);
    const published = ["w/1", "w/2", "w/3"].map((topic) => client.publish(topic, "x", { qos: 1 }));
    await connection.waitFor(3);
    await flush();
    expect(connection.sent("publish").map((packet) => packet.topic)).toStrictEqual(["w/1", "w/2"]);
    connection.send({ type: "puback", packetId: connection.sent("publish")[0]?.packetId ?? 0 });
    await connection.waitFor(4);
    const sent = connection.sent("publish");
    expect(sent.map((packet) => packet.topic)).toStrictEqual(["w/1", "w/2", "w/3"]);
    connection.send(
      { type: "puback", packetId: sent[1]?.packetId ?? 0 },
      { type: "puback", packetId: sent[2]?.packetId ?? 0 },
    );
    await expect(Promise.all(published)).resolves.toBeDefined();
  });

  it("overflow rejects the NEW message with MQTT_ERR_CLIENT_QUEUE_FULL; the queued ones go out in order", async () => {
    const { server, timers, client } = clientOnFakeServer({ offlineQueue: { maxMessages: 2 } });
    const first = await server.accept(0);
    first.cut();
    const queued = [client.publish("q/1", "1", { qos: 1 }), client.publish("q/2", "2", { qos: 2 })];
    const overflow = client.publish("q/3", "3", { qos: 1 });
    expect((await rejection(overflow)).code).toBe("MQTT_ERR_CLIENT_QUEUE_FULL");
    expect((await rejection(client.publish("q/0", "0"))).code).toBe(
      "MQTT_ERR_CLIENT_CONNECTION_CLOSED",
    );
    timers.advance(500);
    const second = await server.accept(1);
    await second.waitFor(3);
    const sent = second.sent("publish");
    expect(sent.map((packet) => packet.topic)).toStrictEqual(["q/1", "q/2"]);
    second.send({ type: "puback", packetId: sent[0]?.packetId ?? 0 });
    second.send({ type: "pubrec", packetId: sent[1]?.packetId ?? 0 });
    await second.waitFor(4);
    second.send({ type: "pubcomp", packetId: sent[1]?.packetId ?? 0 });
    await expect(Promise.all(queued)).resolves.toBeDefined();
  });

  it("the byte limit counts payload + topic; QoS 0 is queued only with offlineQueue.qos0", async () => {
    const { server, timers, client } = clientOnFakeServer({
      offlineQueue: { maxBytes: 10, qos0: true },
    });
    const first = await server.accept(0);
    first.cut();
    const fits = client.publish("ab", "12345678", { qos: 0 });
    const tooBig = client.publish("ab", "123456789", { qos: 1 });
    expect((await rejection(tooBig)).code).toBe("MQTT_ERR_CLIENT_QUEUE_FULL");
    timers.advance(500);
    const second = await server.accept(1);
    await fits;
    expect(second.sent("publish").map((packet) => packet.qos)).toStrictEqual([0]);
  });
});
