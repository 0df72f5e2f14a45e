import type { PublishPacket } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import {
  ClientSession,
  SESSION_SNAPSHOT_VERSION,
  ServerSession,
  SessionError,
  type SessionSnapshot,
  snapshotFromJson,
  snapshotToJson,
} from "../src/index.js";
import { describePacket, message } from "./harness.js";

/** A server session holding every kind of state: all three inflight states, a queue, QoS 2 ids. */
function busyServer(): ServerSession {
  const server = new ServerSession({
    inflightWindow: 3,
    autoAcknowledge: true,
    protocolVersion: 5,
  });
  server.connected(0, { sessionPresent: false });
  server.publish(
    {
      ...message(1, 2),
      properties: { correlationData: new Uint8Array([9, 8]), userProperties: [["k", "v"]] },
    },
    0,
  );
  server.publish(message(2, 1), 0);
  server.publish(message(3, 2), 0);
  server.publish(message(4, 1), 0); // queued: window of 3
  server.handlePacket({ type: "pubrec", packetId: 1 }, 0); // #1 -> awaiting-pubcomp
  const inbound: PublishPacket = {
    type: "publish",
    topic: "in",
    payload: new Uint8Array([1]),
    qos: 2,
    retain: false,
    dup: false,
    packetId: 500,
  };
  server.handlePacket(inbound, 0); // PUBREC sent, awaiting PUBREL
  server.connectionLost();
  return server;
}

describe("snapshots", () => {
  it("hold inflight (in order), queued messages, the id cursor and QoS 2 ids awaiting PUBREL", () => {
    const snapshot = busyServer().snapshot();
    expect(snapshot.version).toBe(SESSION_SNAPSHOT_VERSION);
    expect(snapshot.outbound.inflight.map((item) => [item.packetId, item.state])).toEqual([
      [1, "awaiting-pubcomp"],
      [2, "awaiting-puback"],
      [3, "awaiting-pubrec"],
    ]);
    expect(snapshot.outbound.queued).toHaveLength(1);
    expect(snapshot.outbound.nextPacketId).toBe(4);
    expect(snapshot.inbound.awaitingPubrel).toEqual([500]);
  });

  it("are structured-cloneable plain data", () => {
    const snapshot = busyServer().snapshot();
    expect(structuredClone(snapshot)).toEqual(snapshot);
  });

  it("survive JSON with Uint8Array payloads and properties intact", () => {
    const snapshot = busyServer().snapshot();
    const json = snapshotToJson(snapshot);
    expect(typeof JSON.parse(json)).toBe("object");
    const back = snapshotFromJson(json);
    expect(back).toEqual(snapshot);
    const first = back.outbound.inflight[1];
    expect(first?.state === "awaiting-puback" && first.message.payload).toBeInstanceOf(Uint8Array);
  });

  it("[MQTT-4.4.0-1] restore then resume resends exactly what the original session would", () => {
    const original = busyServer();
    const restored = ServerSession.fromSnapshot(
      snapshotFromJson(snapshotToJson(original.snapshot())),
      { inflightWindow: 3, autoAcknowledge: true, protocolVersion: 5 },
    );
    expect(restored.state).toBe("disconnected");
    const fromOriginal = original.connected(10, { sessionPresent: true }).send;
    const fromRestored = restored.connected(10, { sessionPresent: true }).send;
    expect(fromRestored).toEqual(fromOriginal);
    expect(fromRestored.map(describePacket)).toEqual([
      "pubrel #1",
      "publish q1 dup #2",
      "publish q2 dup #3",
    ]);
    // The QoS 2 id awaiting PUBREL survived: a duplicate is answered, not redelivered.
    const duplicate = restored.handlePacket(
      {
        type: "publish",
        topic: "in",
        payload: new Uint8Array([1]),
        qos: 2,
        retain: false,
        dup: true,
        packetId: 500,
      },
      11,
    );
    expect(duplicate.events).toEqual([]);
    expect(duplicate.send.map(describePacket)).toEqual(["pubrec #500"]);
    // Ids in flight are not handed out again; the cursor continues.
    restored.handlePacket({ type: "puback", packetId: 2 }, 12);
    expect(restored.counters).toMatchObject({ inflight: 3, queued: 0 });
  });

  it("a client restores the same way", () => {
    const client = new ClientSession();
    client.connected(0, { sessionPresent: false });
    client.publish(message(1, 1), 0);
    client.connectionLost();
    const restored = ClientSession.fromSnapshot(structuredClone(client.snapshot()));
    expect(restored.connected(1, { sessionPresent: true }).send.map(describePacket)).toEqual([
      "publish q1 dup #1",
    ]);
    expect(restored.publish(message(2, 1), 1).send.map(describePacket)).toEqual(["publish q1 #2"]);
  });

  it("refuses an unknown version with MQTT_ERR_SESSION_SNAPSHOT_VERSION", () => {
    const future = { ...new ServerSession().snapshot(), version: 2 } as unknown as SessionSnapshot;
    expect(() => ServerSession.fromSnapshot(future)).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_SESSION_SNAPSHOT_VERSION" }),
    );
    expect(() => snapshotFromJson(JSON.stringify({ version: 0 }))).toThrow(SessionError);
  });

  it("refuses a snapshot that breaks an invariant with MQTT_ERR_SESSION_SNAPSHOT_INVALID", () => {
    const valid = busyServer().snapshot();
    const broken: SessionSnapshot[] = [
      { ...valid, outbound: { ...valid.outbound, nextPacketId: 0 } },
      {
        ...valid,
        outbound: {
          ...valid.outbound,
          inflight: [...valid.outbound.inflight, { packetId: 1, state: "awaiting-pubcomp" }],
        },
      },
      {
        ...valid,
        outbound: {
          ...valid.outbound,
          inflight: [{ packetId: 9, state: "awaiting-puback", message: message(1, 2) }],
        },
      },
      { ...valid, inbound: { awaitingPubrel: [70_000] } },
    ];
    for (const snapshot of broken) {
      expect(() => ClientSession.fromSnapshot(snapshot)).toThrow(
        expect.objectContaining({ code: "MQTT_ERR_SESSION_SNAPSHOT_INVALID" }),
      );
    }
  });
});
