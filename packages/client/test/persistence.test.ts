/**
 * What the client keeps in `options.store` (clean=false): inflight QoS 1/2 messages and QoS 2
 * receiver ids, written from the engine's Steps.
 */
import { MemorySessionStore } from "@ternmq/session";
import { describe, expect, it } from "vitest";
import { connect } from "../src/index.js";
import { FakeServer, flush } from "./helpers/fake-server.js";

const payload = new TextEncoder().encode("x");

function setup(store: MemorySessionStore, clean = false) {
  const server = new FakeServer();
  const client = connect("mqtt://broker.invalid", {
    transport: server.transport,
    clientId: "kept",
    clean,
    store,
    keepalive: 0,
    reconnect: false,
  });
  return { server, client };
}

describe("inflight messages in the store", () => {
  it("a QoS 2 message is stored when sent, moves to awaiting-pubcomp on PUBREC, is removed on PUBCOMP", async () => {
    const store = new MemorySessionStore();
    const { server, client } = setup(store);
    const connection = await server.accept(0);
    const published = client.publish("t", payload, { qos: 2 });
    await connection.waitFor(2);
    const packetId = connection.sent("publish")[0]?.packetId ?? 0;
    expect((await store.load("kept"))?.snapshot.outbound.inflight).toMatchObject([
      { packetId, state: "awaiting-pubrec", message: { topic: "t", qos: 2 } },
    ]);
    connection.send({ type: "pubrec", packetId });
    await connection.waitFor(3);
    expect((await store.load("kept"))?.snapshot.outbound.inflight).toStrictEqual([
      { packetId, state: "awaiting-pubcomp" },
    ]);
    connection.send({ type: "pubcomp", packetId });
    await published;
    expect((await store.load("kept"))?.snapshot.outbound.inflight).toStrictEqual([]);
    await client.end({ force: true });
  });

  it("a received QoS 2 id is stored before its PUBREC leaves and removed with the PUBCOMP", async () => {
    const store = new MemorySessionStore();
    const { server, client } = setup(store);
    const connection = await server.accept(0);
    await flush();
    connection.send({
      type: "publish",
      topic: "in",
      payload,
      qos: 2,
      retain: false,
      dup: false,
      packetId: 7,
    });
    await connection.waitFor(2);
    expect(connection.received[1]).toStrictEqual({ type: "pubrec", packetId: 7 });
    expect((await store.load("kept"))?.snapshot.inbound.awaitingPubrel).toStrictEqual([7]);
    connection.send({ type: "pubrel", packetId: 7 });
    await connection.waitFor(3);
    expect((await store.load("kept"))?.snapshot.inbound.awaitingPubrel).toStrictEqual([]);
    await client.end({ force: true });
  });

  it("clean=true deletes the stored session of the client id", async () => {
    const store = new MemorySessionStore();
    const first = setup(store);
    await first.server.accept(0);
    await flush();
    expect(await store.load("kept")).toBeDefined();
    await first.client.end({ force: true });
    const second = setup(store, true);
    await second.server.accept(0);
    expect(await store.load("kept")).toBe(undefined);
    await second.client.end({ force: true });
  });
});
