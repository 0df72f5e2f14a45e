/**
 * Every promise settles: on end (graceful, timed out, forced), on a connection lost without
 * reconnect, on packet id exhaustion, on connect timeout. Plus keepalive with injected timers.
 */
import { encode } from "@ternmq/codec";
import { concatBytes } from "@ternmq/testkit";
import { describe, expect, it } from "vitest";
import { type ClientError, connect, connectAsync } from "../src/index.js";
import { clientOnFakeServer, FakeServer, flush } from "./helpers/fake-server.js";
import { rejection } from "./helpers/harness.js";
import { ManualTimers } from "./helpers/manual-timers.js";

describe("end()", () => {
  it("graceful: waits for inflight QoS 1/2, then sends DISCONNECT and closes", async () => {
    const { server, client } = clientOnFakeServer();
    const connection = await server.accept(0);
    const published = client.publish("t", "x", { qos: 1 });
    const ended = client.end();
    expect(client.state).toBe("ending");
    expect((await rejection(client.publish("t", "late", { qos: 1 }))).code).toBe(
      "MQTT_ERR_CLIENT_ENDED",
    );
    await connection.waitFor(2);
    connection.send({ type: "puback", packetId: connection.sent("publish")[0]?.packetId ?? 0 });
    await published;
    await ended;
    expect(connection.received.map((packet) => packet.type)).toStrictEqual([
      "connect",
      "publish",
      "disconnect",
    ]);
    expect(connection.closedBy).toBe("end");
    expect(client.state).toBe("ended");
  });

  it("graceful with timeoutMs: what is still pending rejects with MQTT_ERR_CLIENT_ENDED", async () => {
    const { server, timers, client } = clientOnFakeServer();
    const connection = await server.accept(0);
    const published = client.publish("t", "x", { qos: 2 });
    const ended = client.end({ timeoutMs: 1000 });
    timers.advance(999);
    expect(client.state).toBe("ending");
    timers.advance(1);
    expect((await rejection(published)).code).toBe("MQTT_ERR_CLIENT_ENDED");
    await ended;
    expect(connection.sent("disconnect")).toHaveLength(1);
  });

  it("force: closes at once; publish, subscribe, unsubscribe and messages() all settle", async () => {
    const { server, client } = clientOnFakeServer();
    const connection = await server.accept(0);
    const iterator = client.messages("#");
    const pending = [
      client.publish("t", "x", { qos: 1 }),
      client.publish("t", "y", { qos: 2 }),
      client.subscribe("s"),
      client.unsubscribe("s"),
    ];
    const events: string[] = [];
    client.on("end", () => events.push("end"));
    await client.end({ force: true });
    for (const promise of pending) {
      expect((await rejection(promise)).code).toBe("MQTT_ERR_CLIENT_ENDED");
    }
    expect(await iterator.next()).toStrictEqual({ value: undefined, done: true });
    expect(connection.sent("disconnect")).toHaveLength(0);
    expect(connection.closedBy).toBe("destroy");
    expect(events).toStrictEqual(["end"]);
  });

  it("end() while waiting to reconnect settles the queued messages", async () => {
    const { server, client } = clientOnFakeServer();
    (await server.accept(0)).cut();
    const queued = client.publish("t", "x", { qos: 1 });
    await client.end();
    expect((await rejection(queued)).code).toBe("MQTT_ERR_CLIENT_ENDED");
    expect(server.connections).toHaveLength(1);
  });
});

describe("connection lost with reconnect off", () => {
  it("every pending operation rejects with MQTT_ERR_CLIENT_CONNECTION_CLOSED; later calls too", async () => {
    const { server, client, errors } = clientOnFakeServer({ reconnect: false });
    const connection = await server.accept(0);
    const iterator = client.messages();
    const pending = [
      client.publish("t", "x", { qos: 1 }),
      client.subscribe("s"),
      client.unsubscribe("s"),
    ];
    await connection.waitFor(4);
    connection.cut(new Error("ECONNRESET"));
    expect(client.state).toBe("closed");
    for (const promise of pending) {
      expect((await rejection(promise)).code).toBe("MQTT_ERR_CLIENT_CONNECTION_CLOSED");
    }
    expect(errors.map((error) => error.code)).toStrictEqual(["MQTT_ERR_CLIENT_NETWORK"]);
    expect(await iterator.next()).toStrictEqual({ value: undefined, done: true });
    expect((await rejection(client.publish("t", "x", { qos: 1 }))).code).toBe(
      "MQTT_ERR_CLIENT_CONNECTION_CLOSED",
    );
    await client.end();
    expect(client.state).toBe("ended");
  });

  it("[MQTT-3.2.0-1] a first packet other than CONNACK is MQTT_ERR_CLIENT_PROTOCOL", async () => {
    const { server, client, errors } = clientOnFakeServer({ reconnect: false });
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    connection.send({ type: "pingresp" });
    expect(errors.map((error) => error.code)).toStrictEqual(["MQTT_ERR_CLIENT_PROTOCOL"]);
    expect(client.state).toBe("closed");
    expect(connection.closedBy).toBe("destroy");
  });

  it("malformed bytes from the server close the connection with MQTT_ERR_CLIENT_PROTOCOL", async () => {
    const { server, errors } = clientOnFakeServer({ reconnect: false });
    const connection = await server.accept(0);
    connection.sendBytes(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]));
    expect(errors.map((error) => error.code)).toStrictEqual(["MQTT_ERR_CLIENT_PROTOCOL"]);
  });
});

describe("connect", () => {
  it("connect timeout: connectAsync rejects with MQTT_ERR_CLIENT_CONNECT_TIMEOUT and the client is closed", async () => {
    const server = new FakeServer();
    const timers = new ManualTimers();
    const pending = connectAsync("mqtt://broker.invalid", {
      transport: server.transport,
      timers,
      connectTimeoutMs: 5000,
    });
    const connection = await server.connection(0);
    connection.open(); // TCP up, but no CONNACK ever comes
    timers.advance(4999);
    expect(connection.state).toBe("open");
    timers.advance(1);
    expect((await rejection(pending)).code).toBe("MQTT_ERR_CLIENT_CONNECT_TIMEOUT");
    expect(connection.closedBy).toBe("destroy");
    expect(timers.pending()).toStrictEqual([]);
  });

  it("connect timeout with reconnect on: tries again after the backoff", async () => {
    const { server, timers, errors } = clientOnFakeServer({ connectTimeoutMs: 100 });
    await server.connection(0);
    timers.advance(100);
    expect(errors.map((error) => error.code)).toStrictEqual(["MQTT_ERR_CLIENT_CONNECT_TIMEOUT"]);
    timers.advance(500);
    expect(server.connections).toHaveLength(2);
  });

  it("connectAsync rejects with the CONNACK refusal and its return code", async () => {
    const server = new FakeServer();
    const pending = connectAsync("mqtt://broker.invalid", { transport: server.transport });
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    connection.send({ type: "connack", sessionPresent: false, reasonCode: 4 });
    const error = (await rejection(pending)) as ClientError;
    expect([error.code, error.returnCode]).toStrictEqual(["MQTT_ERR_CLIENT_CONNACK_REFUSED", 4]);
  });

  it("sends the CONNECT built from the options", async () => {
    const server = new FakeServer();
    const client = connect("mqtt://user:pa%20ss@broker.invalid", {
      transport: server.transport,
      clientId: "id-1",
      clean: false,
      keepalive: 30,
      protocolVersion: 3,
      will: { topic: "w", payload: "gone", qos: 1, retain: true },
    });
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    const [packet] = connection.sent("connect");
    expect(packet).toMatchObject({
      protocolVersion: 3,
      clientId: "id-1",
      clean: false,
      keepalive: 30,
      username: "user",
      will: { topic: "w", qos: 1, retain: true },
    });
    const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
    expect([text(packet?.password), text(packet?.will?.payload)]).toStrictEqual(["pa ss", "gone"]);
    await client.end({ force: true });
  });

  it("invalid arguments throw or reject with MQTT_ERR_CLIENT_INVALID_ARGUMENT", async () => {
    const code = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        return (error as ClientError).code;
      }
      return "no error";
    };
    expect(code(() => connect("http://x"))).toBe("MQTT_ERR_CLIENT_INVALID_ARGUMENT");
    expect(code(() => connect("not a url"))).toBe("MQTT_ERR_CLIENT_INVALID_ARGUMENT");
    expect(code(() => connect("mqtt://x", { will: { topic: "a/#", payload: "" } }))).toBe(
      "MQTT_ERR_CLIENT_INVALID_ARGUMENT",
    );
    const { client } = clientOnFakeServer();
    expect((await rejection(client.publish("a/+", "x"))).code).toBe(
      "MQTT_ERR_CLIENT_INVALID_ARGUMENT",
    );
    expect((await rejection(client.publish("a", "x", { qos: 3 as 0 }))).code).toBe(
      "MQTT_ERR_CLIENT_INVALID_ARGUMENT",
    );
    expect((await rejection(client.subscribe("a/#/b"))).code).toBe(
      "MQTT_ERR_CLIENT_INVALID_ARGUMENT",
    );
    expect((await rejection(client.subscribe([]))).code).toBe("MQTT_ERR_CLIENT_INVALID_ARGUMENT");
    await client.end({ force: true });
  });
});

describe("framing", () => {
  it("a packet may span chunks and a chunk may hold several packets", async () => {
    const { server, client } = clientOnFakeServer();
    const connection = await server.connection(0);
    connection.open();
    await connection.waitFor(1);
    const received: string[] = [];
    client.on("message", (topic) => received.push(topic));
    const bytes = [
      encode({ type: "connack", sessionPresent: false, reasonCode: 0 }, { protocolVersion: 4 }),
      ...["a", "b", "c"].map((topic) =>
        encode(
          {
            type: "publish",
            topic,
            payload: new Uint8Array(300),
            qos: 0,
            retain: false,
            dup: false,
          },
          { protocolVersion: 4 },
        ),
      ),
    ];
    const all = concatBytes(bytes);
    // One byte at a time for the first packets, then the rest in one chunk.
    for (const byte of all.subarray(0, 400)) connection.sendBytes(Uint8Array.of(byte));
    connection.sendBytes(all.subarray(400));
    expect(client.connected).toBe(true);
    expect(received).toStrictEqual(["a", "b", "c"]);
    await client.end({ force: true });
  });
});

describe("backpressure", () => {
  it("a QoS 0 publish written into a full transport resolves on drain, in order", async () => {
    const { server, client } = clientOnFakeServer();
    const connection = await server.accept(0);
    await flush();
    connection.acceptWrites = false;
    const settled: string[] = [];
    const first = client.publish("t", "1").then(() => settled.push("1"));
    connection.acceptWrites = true;
    const second = client.publish("t", "2").then(() => settled.push("2"));
    await flush();
    expect(settled).toStrictEqual([]);
    connection.drain();
    await Promise.all([first, second]);
    expect(settled).toStrictEqual(["1", "2"]);
  });

  it("the connection closing before the drain rejects them with MQTT_ERR_CLIENT_CONNECTION_CLOSED", async () => {
    const { server, client } = clientOnFakeServer();
    const connection = await server.accept(0);
    await flush();
    connection.acceptWrites = false;
    const published = client.publish("t", "1");
    connection.cut();
    expect((await rejection(published)).code).toBe("MQTT_ERR_CLIENT_CONNECTION_CLOSED");
  });
});

describe("packet ids", () => {
  it("[MQTT-2.3.1-2] when all 65535 ids are in use, subscribe rejects with MQTT_ERR_CLIENT_PACKET_IDS_EXHAUSTED", async () => {
    const { server, client } = clientOnFakeServer();
    await server.accept(0);
    const pending: Promise<unknown>[] = [];
    for (let index = 0; index < 65_535; index++) {
      pending.push(client.subscribe(`f/${index}`).catch((error: ClientError) => error.code));
    }
    const error = await rejection(client.subscribe("one-too-many"));
    expect(error.code).toBe("MQTT_ERR_CLIENT_PACKET_IDS_EXHAUSTED");
    await client.end({ force: true });
    const codes = new Set(await Promise.all(pending));
    expect(codes).toStrictEqual(new Set(["MQTT_ERR_CLIENT_ENDED"]));
  }, 30_000); // 65,535 SUBSCRIBE packets encoded and decoded
});

describe("keepalive driven by the engine's deadline and the injected timers", () => {
  it("[MQTT-3.1.2-23] PINGREQ after keepalive seconds without sending; sending moves it", async () => {
    const { server, timers, client } = clientOnFakeServer({ keepalive: 10 });
    const connection = await server.accept(0);
    await flush();
    timers.advance(5000);
    void client.publish("t", "x");
    timers.advance(9999);
    expect(connection.sent("pingreq")).toHaveLength(0);
    timers.advance(1);
    expect(connection.sent("pingreq")).toHaveLength(1);
    connection.send({ type: "pingresp" });
    timers.advance(10_000);
    expect(connection.sent("pingreq")).toHaveLength(2);
    expect(client.connected).toBe(true);
  });

  it("no PINGRESP within the keepalive: MQTT_ERR_CLIENT_PING_TIMEOUT, the connection is closed and re-established", async () => {
    const { server, timers, client, errors } = clientOnFakeServer({ keepalive: 10 });
    const connection = await server.accept(0);
    await flush();
    timers.advance(10_000);
    expect(connection.sent("pingreq")).toHaveLength(1);
    timers.advance(10_000);
    expect(errors.map((error) => error.code)).toStrictEqual(["MQTT_ERR_CLIENT_PING_TIMEOUT"]);
    expect(connection.closedBy).toBe("destroy");
    expect(client.state).toBe("waiting");
    timers.advance(500);
    expect(server.connections).toHaveLength(2);
  });
});
