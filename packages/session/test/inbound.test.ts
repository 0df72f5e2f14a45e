import type { PublishPacket, QoS } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import { ClientSession, ServerSession, type Session } from "../src/index.js";
import { describePacket } from "./harness.js";

function publish(packetId: number | undefined, qos: QoS, dup = false): PublishPacket {
  return {
    type: "publish",
    topic: "t",
    payload: new Uint8Array([packetId ?? 0]),
    qos,
    retain: false,
    dup,
    packetId,
  };
}

function connectedServer(
  options: ConstructorParameters<typeof ServerSession>[0] = {},
): ServerSession {
  const server = new ServerSession(options);
  server.connected(0, { sessionPresent: false });
  return server;
}

function sends(session: Session, packet: Parameters<Session["handlePacket"]>[0]): string[] {
  return session.handlePacket(packet, 0).send.map(describePacket);
}

describe("inbound QoS 1", () => {
  it("[MQTT-4.3.2-2] delivers, then PUBACKs when the shell acknowledges", () => {
    const server = connectedServer();
    const step = server.handlePacket(publish(9, 1), 0);
    expect(step.send).toEqual([]);
    expect(step.events).toMatchObject([{ type: "message", packetId: 9, ackRequired: true }]);
    expect(server.acknowledge(9, 1).send.map(describePacket)).toEqual(["puback #9"]);
    expect(server.acknowledge(9, 1).send).toEqual([]); // already acknowledged: ignored
  });

  it("autoAcknowledge puts the PUBACK in the delivery step", () => {
    const server = connectedServer({ autoAcknowledge: true });
    const step = server.handlePacket(publish(9, 1), 0);
    expect(step.events).toMatchObject([{ type: "message", ackRequired: false }]);
    expect(step.send.map(describePacket)).toEqual(["puback #9"]);
  });

  it("[MQTT-4.6.0-2] PUBACKs leave in arrival order even if the shell acknowledges out of order", () => {
    const server = connectedServer();
    server.handlePacket(publish(1, 1), 0);
    server.handlePacket(publish(2, 2), 0);
    server.handlePacket(publish(3, 1), 0);
    expect(server.acknowledge(3, 0).send).toEqual([]);
    expect(server.acknowledge(2, 0).send).toEqual([]);
    expect(server.acknowledge(1, 0).send.map(describePacket)).toEqual([
      "puback #1",
      "pubrec #2",
      "puback #3",
    ]);
  });

  it("a duplicate of a message not yet acknowledged is not delivered again", () => {
    const server = connectedServer();
    server.handlePacket(publish(4, 1), 0);
    const duplicate = server.handlePacket(publish(4, 1, true), 0);
    expect(duplicate.events).toEqual([]);
    expect(duplicate.send).toEqual([]);
  });
});

describe("inbound QoS 2", () => {
  it("[MQTT-4.3.3-2] delivers once, PUBREC on acknowledge, PUBREC for duplicates, PUBCOMP on PUBREL", () => {
    const server = connectedServer();
    expect(server.handlePacket(publish(5, 2), 0).events).toHaveLength(1);
    expect(server.acknowledge(5, 0).send.map(describePacket)).toEqual(["pubrec #5"]);
    const duplicate = server.handlePacket(publish(5, 2, true), 0);
    expect(duplicate.events).toEqual([]);
    expect(duplicate.send.map(describePacket)).toEqual(["pubrec #5"]);
    // Even without DUP, the same id before PUBREL is the same message.
    expect(server.handlePacket(publish(5, 2), 0).events).toEqual([]);
    expect(sends(server, { type: "pubrel", packetId: 5 })).toEqual(["pubcomp #5"]);
    // After PUBCOMP the id starts a new publication.
    expect(server.handlePacket(publish(5, 2), 0).events).toHaveLength(1);
  });

  it("PUBREL for an unknown id is answered by PUBCOMP (0x92 at 5.0)", () => {
    expect(sends(connectedServer(), { type: "pubrel", packetId: 77 })).toEqual(["pubcomp #77"]);
    const v5 = connectedServer({ protocolVersion: 5 });
    expect(v5.handlePacket({ type: "pubrel", packetId: 77 }, 0).send).toEqual([
      { type: "pubcomp", packetId: 77, reasonCode: 0x92 },
    ]);
  });

  it("acknowledged while disconnected: nothing sent, the resent PUBLISH gets the PUBREC", () => {
    const client = new ClientSession();
    client.connected(0, { sessionPresent: false });
    client.handlePacket(publish(6, 2), 0);
    client.connectionLost();
    expect(client.acknowledge(6, 1)).toMatchObject({ send: [] });
    client.connected(2, { sessionPresent: true });
    const resent = client.handlePacket(publish(6, 2, true), 2);
    expect(resent.events).toEqual([]);
    expect(resent.send.map(describePacket)).toEqual(["pubrec #6"]);
  });

  it("[MQTT-3.1.2-6] a discarded session forgets ids awaiting PUBREL", () => {
    const server = connectedServer({ autoAcknowledge: true });
    server.handlePacket(publish(8, 2), 0);
    server.connectionLost();
    server.connected(1, { sessionPresent: false });
    expect(server.handlePacket(publish(8, 2), 1).events).toHaveLength(1);
  });

  it("a 5.0 PUBREC with a failure code ends the outbound flow without PUBREL [MQTT-4.4.0-2]", () => {
    const client = new ClientSession({ protocolVersion: 5 });
    client.connected(0, { sessionPresent: false });
    client.publish({ topic: "t", payload: new Uint8Array(), qos: 2, retain: false }, 0);
    const step = client.handlePacket({ type: "pubrec", packetId: 1, reasonCode: 0x87 }, 0);
    expect(step.send).toEqual([]);
    expect(step.events).toMatchObject([
      { type: "publish-complete", packetId: 1, reasonCode: 0x87 },
    ]);
    expect(client.counters.inflight).toBe(0);
  });
});

describe("packet id spaces", () => {
  it("[MQTT-2.3.1-2] the peer's ids and this side's ids are separate spaces", () => {
    const client = new ClientSession({ autoAcknowledge: true });
    client.connected(0, { sessionPresent: false });
    expect(
      client.publish({ topic: "out", payload: new Uint8Array(), qos: 2, retain: false }, 0).send,
    ).toMatchObject([{ type: "publish", packetId: 1 }]);
    // The server uses id 1 too, for its own QoS 2 message: a different flow.
    const inbound = client.handlePacket(publish(1, 2), 0);
    expect(inbound.events).toHaveLength(1);
    expect(inbound.send.map(describePacket)).toEqual(["pubrec #1"]);
    expect(
      client.handlePacket({ type: "pubrec", packetId: 1 }, 0).send.map(describePacket),
    ).toEqual(["pubrel #1"]);
    expect(
      client.handlePacket({ type: "pubrel", packetId: 1 }, 0).send.map(describePacket),
    ).toEqual(["pubcomp #1"]);
    const done = client.handlePacket({ type: "pubcomp", packetId: 1 }, 0);
    expect(done.events).toMatchObject([{ type: "publish-complete", packetId: 1, qos: 2 }]);
    expect(client.counters).toMatchObject({ inflight: 0, inboundOpen: 0 });
  });
});
