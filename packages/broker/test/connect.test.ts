import { afterEach, describe, expect, it } from "vitest";
import { bytes, delay, Harness } from "./helpers/harness.js";

const t = new Harness();
afterEach(() => t.cleanup());

describe("CONNECT and CONNACK", () => {
  it("[MQTT-3.2.0-1] answers a valid CONNECT with CONNACK 0 as its first packet", async () => {
    const { port, broker } = await t.broker();
    const client = await t.raw(port);
    const connack = await client.connect({ clientId: "c1" });
    expect(connack).toEqual({ type: "connack", sessionPresent: false, reasonCode: 0 });
    expect(broker.stats.clientsConnected).toBe(1);
  });

  it("accepts MQTT 3.1 (MQIsdp, level 3) clients", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port, 3);
    const connack = await client.connect({ clientId: "old-client", protocolVersion: 3 });
    expect(connack.reasonCode).toBe(0);
    client.send({ type: "pingreq" });
    await client.expect("pingresp");
  });

  it("resumes a persistent session of a 3.1 client, with the reserved CONNACK flags left 0", async () => {
    const { port } = await t.broker();
    const first = await t.client(port, { clientId: "v31", clean: false, protocolVersion: 3 });
    first.send({ type: "disconnect" });
    await first.waitClosed();
    const again = await t.raw(port, 3);
    const connack = await again.connect({ clientId: "v31", clean: false, protocolVersion: 3 });
    expect(connack).toEqual({ type: "connack", sessionPresent: false, reasonCode: 0 });
  });

  it("[MQTT-3.1.2-2] answers an unsupported protocol level with CONNACK 1 and closes", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port);
    // CONNECT "MQTT" level 6, clean session, keepalive 60, client id "c".
    client.sendBytes(
      Uint8Array.of(
        0x10,
        0x0d,
        0x00,
        0x04,
        0x4d,
        0x51,
        0x54,
        0x54,
        0x06,
        0x02,
        0x00,
        0x3c,
        0x00,
        0x01,
        0x63,
      ),
    );
    const connack = await client.expect("connack");
    expect(connack.reasonCode).toBe(1);
    expect(connack.sessionPresent).toBe(false);
    await client.waitClosed();
  });

  it("[MQTT-3.1.3-8] refuses an empty client id with clean session 0: CONNACK 2, closed", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port);
    const connack = await client.connect({ clientId: "", clean: false });
    expect(connack.reasonCode).toBe(2);
    await client.waitClosed();
  });

  it("[MQTT-3.1.3-6] assigns an id to an empty client id with clean session 1", async () => {
    const { port, broker } = await t.broker();
    const ids: string[] = [];
    broker.on("client-connected", (client) => ids.push(client.clientId));
    const client = await t.raw(port);
    const connack = await client.connect({ clientId: "", clean: true });
    expect(connack.reasonCode).toBe(0);
    expect(ids).toHaveLength(1);
    expect(ids[0]?.length).toBeGreaterThan(0);
  });

  it("refuses client ids over maxClientIdLength or outside clientIdPattern with CONNACK 2", async () => {
    const { port } = await t.broker({
      limits: { maxClientIdLength: 23 },
      clientIdPattern: /^[0-9a-zA-Z-]+$/,
    });
    const long = await t.raw(port);
    expect((await long.connect({ clientId: "x".repeat(24) })).reasonCode).toBe(2);
    const odd = await t.raw(port);
    expect((await odd.connect({ clientId: "with space" })).reasonCode).toBe(2);
    const fine = await t.raw(port);
    expect((await fine.connect({ clientId: "x".repeat(23) })).reasonCode).toBe(0);
  });

  it("answers CONNACK 3 (server unavailable) beyond maxConnections, but allows a takeover", async () => {
    const { port } = await t.broker({ limits: { maxConnections: 1 } });
    await t.client(port, { clientId: "first" });
    const second = await t.raw(port);
    const refused = await second.connect({ clientId: "second" });
    expect(refused).toEqual({ type: "connack", sessionPresent: false, reasonCode: 3 });
    await second.waitClosed();
    const again = await t.raw(port);
    expect((await again.connect({ clientId: "first" })).reasonCode).toBe(0);
  });

  it("answers the authenticate hook's CONNACK 4 and 5 and passes user name and password", async () => {
    const seen: [string | undefined, string | undefined][] = [];
    const { port } = await t.broker({
      hooks: {
        async authenticate(_client, username, password) {
          seen.push([username, password && new TextDecoder().decode(password)]);
          if (username === "alice" && password !== undefined) return 0;
          return username === "alice" ? 4 : 5;
        },
      },
    });
    const good = await t.raw(port);
    expect(
      (await good.connect({ clientId: "a", username: "alice", password: bytes("pw") })).reasonCode,
    ).toBe(0);
    const badPassword = await t.raw(port);
    expect((await badPassword.connect({ clientId: "b", username: "alice" })).reasonCode).toBe(4);
    await badPassword.waitClosed();
    const stranger = await t.raw(port);
    expect((await stranger.connect({ clientId: "c", username: "mallory" })).reasonCode).toBe(5);
    await stranger.waitClosed();
    expect(seen).toEqual([
      ["alice", "pw"],
      ["alice", undefined],
      ["mallory", undefined],
    ]);
  });

  it("refuses with CONNACK 5 when the authenticate hook throws", async () => {
    const { port } = await t.broker({
      hooks: {
        authenticate() {
          throw new Error("directory down");
        },
      },
    });
    const client = await t.raw(port);
    expect((await client.connect({ clientId: "a" })).reasonCode).toBe(5);
  });

  it("[MQTT-3.2.2-1] session present is 0 for clean session 1, even when a session existed", async () => {
    const { port } = await t.broker();
    const first = await t.client(port, { clientId: "p", clean: false });
    first.send({ type: "disconnect" });
    await first.waitClosed();
    const clean = await t.raw(port);
    expect((await clean.connect({ clientId: "p", clean: true })).sessionPresent).toBe(false);
  });

  it("[MQTT-3.2.2-2] session present is 1 when clean session 0 resumes a stored session", async () => {
    const { port } = await t.broker();
    const first = await t.raw(port);
    expect((await first.connect({ clientId: "p", clean: false })).sessionPresent).toBe(false);
    first.send({ type: "disconnect" });
    await first.waitClosed();
    const second = await t.raw(port);
    expect((await second.connect({ clientId: "p", clean: false })).sessionPresent).toBe(true);
  });

  it("[MQTT-3.2.2-3] session present is 0 for clean session 0 without a stored session", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port);
    expect((await client.connect({ clientId: "new", clean: false })).sessionPresent).toBe(false);
  });

  it("[MQTT-3.1.4-2] a second connection with the same client id takes over: the first is closed", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const first = await t.client(port, { clientId: "same", clean: false });
    const second = await t.raw(port);
    expect((await second.connect({ clientId: "same", clean: false })).sessionPresent).toBe(true);
    await first.waitClosed();
    expect(reasons).toEqual(["takeover"]);
    expect(broker.stats.clientsConnected).toBe(1);
    second.send({ type: "pingreq" });
    await second.expect("pingresp");
  });

  it("[MQTT-3.1.0-1] closes a connection whose first packet is not CONNECT", async () => {
    const { port } = await t.broker();
    const client = await t.raw(port);
    client.send({ type: "pingreq" });
    await client.waitClosed();
  });

  it("[MQTT-3.1.0-2] closes a connection that sends a second CONNECT", async () => {
    const { port, broker } = await t.broker();
    const reasons: string[] = [];
    broker.on("client-disconnected", (_client, reason) => reasons.push(reason));
    const client = await t.client(port, { clientId: "twice" });
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "twice",
      clean: true,
      keepalive: 0,
    });
    await client.waitClosed();
    expect(reasons).toEqual(["protocol-error"]);
  });

  it("closes a connection that sends no CONNECT within connectTimeoutMs", async () => {
    const { port } = await t.broker({ limits: { connectTimeoutMs: 150 } });
    const client = await t.raw(port);
    const started = Date.now();
    await client.waitClosed(2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("does not close a connected client when connectTimeoutMs passes", async () => {
    const { port } = await t.broker({ limits: { connectTimeoutMs: 100 } });
    const client = await t.client(port, { clientId: "patient" });
    await delay(250);
    client.send({ type: "pingreq" });
    await client.expect("pingresp");
  });
});
