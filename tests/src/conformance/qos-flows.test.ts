import type { PublishPacket } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import {
  bytes,
  publish,
  subscribe,
  type TestBroker,
  text,
  useConformanceBroker,
} from "../helpers/conformance-broker.js";
import { frame, packetIdField, splitFrames, stringField } from "../helpers/mqtt-bytes.js";
import type { RawClient } from "../helpers/raw-client.js";

// MQTT 3.1.1 packet identifiers (2.3.1), QoS flows (4.3), redelivery (4.4) and ordering (4.6),
// with the server as sender and as receiver.

const { start } = useConformanceBroker();

/** A CleanSession 0 subscriber on `filter` at `qos`, and a publisher. */
async function persistentPair(
  broker: TestBroker,
  clientId: string,
  filter: string,
  qos: 1 | 2,
): Promise<{ subscriber: RawClient; publisher: RawClient }> {
  const { client: subscriber } = await broker.session({ clientId, clean: false });
  await subscribe(subscriber, [[filter, qos]]);
  const publisher = await broker.client(`${clientId}-pub`);
  return { subscriber, publisher };
}

/** Drops the connection without DISCONNECT and reconnects with CleanSession 0. */
async function reconnect(broker: TestBroker, old: RawClient, clientId: string): Promise<RawClient> {
  old.destroy();
  await old.expectClosed().catch(() => undefined);
  const { client, connack } = await broker.session({ clientId, clean: false });
  expect(connack.sessionPresent).toBe(true);
  return client;
}

async function receiveAll(client: RawClient, count: number): Promise<PublishPacket[]> {
  const received: PublishPacket[] = [];
  for (let index = 0; index < count; index += 1)
    received.push(await client.expectPacket("publish"));
  return received;
}

/** Receives `count` QoS 2 messages, completing each flow (PUBREC, then PUBCOMP per PUBREL). */
async function receiveQos2(client: RawClient, count: number): Promise<PublishPacket[]> {
  const received: PublishPacket[] = [];
  let released = 0;
  while (received.length < count || released < count) {
    const packet = await client.nextPacket();
    if (packet.type === "publish") {
      received.push(packet);
      client.send({ type: "pubrec", packetId: packet.packetId ?? 0 });
    } else if (packet.type === "pubrel") {
      released += 1;
      client.send({ type: "pubcomp", packetId: packet.packetId });
    } else {
      throw new Error(`unexpected ${packet.type} in a QoS 2 flow`);
    }
  }
  return received;
}

describe("2.3.1 Packet Identifier", () => {
  it("[MQTT-2.3.1-1] QoS 1 and QoS 2 PUBLISH packets sent by the server carry a non-zero packet id", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("nonzero-sub");
    await subscribe(subscriber, [
      ["nz/1", 1],
      ["nz/2", 2],
    ]);
    const publisher = await connected("nonzero-pub");
    await publish(publisher, "nz/1", "one", { qos: 1 });
    await publish(publisher, "nz/2", "two", { qos: 2 });
    const [one, two] = await receiveAll(subscriber, 2);
    expect(one?.packetId).toBeGreaterThan(0);
    expect(two?.packetId).toBeGreaterThan(0);
  });

  it("[MQTT-2.3.1-1] a SUBSCRIBE with packet identifier 0 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("zero-id");
    client.sendBytes(frame(0x82, [...packetIdField(0), ...stringField("z"), 0x00]));
    await client.expectClosed();
  });

  it("[MQTT-2.3.1-4] the server gives in-flight messages distinct ids and keeps them on resend", async () => {
    const broker = await start();
    const { subscriber, publisher } = await persistentPair(broker, "ids-sub", "ids/t", 1);
    for (let index = 1; index <= 5; index += 1) {
      await publish(publisher, "ids/t", `m${index}`, { qos: 1, packetId: index });
    }
    const first = (await receiveAll(subscriber, 5)).map((message) => message.packetId);
    expect(new Set(first).size).toBe(5);
    const again = await reconnect(broker, subscriber, "ids-sub");
    const resent = (await receiveAll(again, 5)).map((message) => message.packetId);
    expect(resent).toEqual(first);
  });

  it("[MQTT-2.3.1-6] PUBACK, PUBREC and PUBREL carry the packet id of their PUBLISH", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("ack-ids-sub");
    await subscribe(subscriber, [["ackid/t", 2]]);
    const publisher = await connected("ack-ids-pub");
    const message = {
      type: "publish",
      topic: "ackid/t",
      payload: bytes("x"),
      retain: false,
      dup: false,
    } as const;
    publisher.send({ ...message, qos: 1, packetId: 300 });
    expect((await publisher.expectPacket("puback")).packetId).toBe(300);
    publisher.send({ ...message, qos: 2, packetId: 301 });
    expect((await publisher.expectPacket("pubrec")).packetId).toBe(301);
    publisher.send({ type: "pubrel", packetId: 301 });
    expect((await publisher.expectPacket("pubcomp")).packetId).toBe(301);
    const first = await subscriber.expectPacket("publish");
    subscriber.send({ type: "puback", packetId: first.packetId ?? 0 });
    const second = await subscriber.expectPacket("publish");
    subscriber.send({ type: "pubrec", packetId: second.packetId ?? 0 });
    expect((await subscriber.expectPacket("pubrel")).packetId).toBe(second.packetId);
  });
});

describe("3.3.1 / 3.6.1 flags in QoS flows", () => {
  it("[MQTT-3.3.1-1] a PUBLISH the server re-delivers has DUP 1 and the original packet id", async () => {
    const broker = await start();
    const { subscriber, publisher } = await persistentPair(broker, "redeliver", "redeliver/t", 1);
    await publish(publisher, "redeliver/t", "again", { qos: 1 });
    const original = await subscriber.expectPacket("publish");
    expect(original.dup).toBe(false);
    const again = await reconnect(broker, subscriber, "redeliver");
    const resent = await again.expectPacket("publish");
    expect([resent.dup, resent.packetId, text(resent.payload)]).toEqual([
      true,
      original.packetId,
      "again",
    ]);
  });

  it("[MQTT-3.6.1-1] a PUBREL with fixed header flags other than 0010 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("pubrel-flags");
    client.send({
      type: "publish",
      topic: "prf/t",
      payload: bytes("x"),
      qos: 2,
      packetId: 9,
      retain: false,
      dup: false,
    });
    await client.expectPacket("pubrec");
    client.sendBytes(frame(0x60, packetIdField(9)));
    await client.expectClosed();
  });
});

describe("4.3 Quality of Service levels and protocol flows", () => {
  it("[MQTT-4.3.1-1] the server sends QoS 0 messages with QoS 0 and DUP 0", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("qos0-sub");
    await subscribe(subscriber, [["qos0/t", 2]]);
    const publisher = await connected("qos0-pub");
    await publish(publisher, "qos0/t", "zero", { qos: 0 });
    expect((await subscriber.expectPacket("publish")).qos).toBe(0);
    const publishFrame = splitFrames(subscriber.receivedChunks).find((f) => f.firstByte >> 4 === 3);
    expect(publishFrame?.firstByte).toBe(0x30);
  });

  it("[MQTT-4.3.2-1] the server sends QoS 1 with DUP 0 and keeps it unacknowledged until PUBACK", async () => {
    const broker = await start();
    const { subscriber, publisher } = await persistentPair(broker, "q1-sender", "q1s/t", 1);
    await publish(publisher, "q1s/t", "acked", { qos: 1, packetId: 1 });
    await publish(publisher, "q1s/t", "unacked", { qos: 1, packetId: 2 });
    const [acked, unacked] = await receiveAll(subscriber, 2);
    expect([acked?.qos, acked?.dup, unacked?.dup]).toEqual([1, false, false]);
    subscriber.send({ type: "puback", packetId: acked?.packetId ?? 0 });
    await subscriber.expectNothing(100);
    const again = await reconnect(broker, subscriber, "q1-sender");
    const resent = await again.expectPacket("publish");
    expect([text(resent.payload), resent.packetId, resent.dup]).toEqual([
      "unacked",
      unacked?.packetId,
      true,
    ]);
    again.send({ type: "puback", packetId: resent.packetId ?? 0 });
    await again.expectNothing(200);
  });

  it("[MQTT-4.3.2-2] the server PUBACKs QoS 1 with its id, and the same id after PUBACK is a new message", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("q1r-sub");
    await subscribe(subscriber, [["q1r/t", 0]]);
    const publisher = await connected("q1r-pub");
    await publish(publisher, "q1r/t", "first", { qos: 1, packetId: 42 });
    publisher.send({
      type: "publish",
      topic: "q1r/t",
      payload: bytes("second"),
      qos: 1,
      packetId: 42,
      retain: false,
      dup: true,
    });
    expect((await publisher.expectPacket("puback")).packetId).toBe(42);
    const received = await receiveAll(subscriber, 2);
    expect(received.map((message) => text(message.payload))).toEqual(["first", "second"]);
  });

  it("[MQTT-4.3.3-1] the server sends QoS 2 with DUP 0, answers PUBREC with PUBREL, and resends PUBREL, not PUBLISH", async () => {
    const broker = await start();
    const { subscriber, publisher } = await persistentPair(broker, "q2-sender", "q2s/t", 2);
    await publish(publisher, "q2s/t", "exactly once", { qos: 2 });
    const message = await subscriber.expectPacket("publish");
    expect([message.qos, message.dup]).toEqual([2, false]);
    const packetId = message.packetId ?? 0;
    subscriber.send({ type: "pubrec", packetId });
    expect((await subscriber.expectPacket("pubrel")).packetId).toBe(packetId);
    const again = await reconnect(broker, subscriber, "q2-sender");
    expect((await again.expectPacket("pubrel")).packetId).toBe(packetId);
    again.send({ type: "pubcomp", packetId });
    await again.expectNothing(200);
  });

  it("[MQTT-4.3.3-2] the server PUBRECs QoS 2, re-PUBRECs a duplicate without delivering it twice, PUBCOMPs the PUBREL", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("q2r-sub");
    await subscribe(subscriber, [["q2r/t", 0]]);
    const publisher = await connected("q2r-pub");
    const message = {
      type: "publish",
      topic: "q2r/t",
      qos: 2,
      packetId: 50,
      retain: false,
    } as const;
    publisher.send({ ...message, payload: bytes("one"), dup: false });
    expect((await publisher.expectPacket("pubrec")).packetId).toBe(50);
    publisher.send({ ...message, payload: bytes("one"), dup: true });
    expect((await publisher.expectPacket("pubrec")).packetId).toBe(50);
    publisher.send({ type: "pubrel", packetId: 50 });
    expect((await publisher.expectPacket("pubcomp")).packetId).toBe(50);
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("one");
    await subscriber.expectNothing(200);
    await publish(publisher, "q2r/t", "two", { qos: 2, packetId: 50 });
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("two");
  });
});

describe("4.4 Message delivery retry", () => {
  it("[MQTT-4.4.0-1] on reconnect with CleanSession 0 the server resends unacknowledged PUBLISH and PUBREL with their ids", async () => {
    const broker = await start();
    const { client: subscriber } = await broker.session({ clientId: "retry", clean: false });
    await subscribe(subscriber, [
      ["retry/1", 1],
      ["retry/2", 2],
    ]);
    const publisher = await broker.client("retry-pub");
    await publish(publisher, "retry/1", "q1", { qos: 1, packetId: 1 });
    await publish(publisher, "retry/2", "released", { qos: 2, packetId: 2 });
    await publish(publisher, "retry/2", "unreceived", { qos: 2, packetId: 3 });
    const [q1, released, unreceived] = await receiveAll(subscriber, 3);
    subscriber.send({ type: "pubrec", packetId: released?.packetId ?? 0 });
    await subscriber.expectPacket("pubrel");
    const again = await reconnect(broker, subscriber, "retry");
    const packets = [await again.nextPacket(), await again.nextPacket(), await again.nextPacket()];
    const summary = packets.map((packet) =>
      packet.type === "publish"
        ? `publish ${packet.packetId} dup ${packet.dup}`
        : `${packet.type} ${"packetId" in packet ? packet.packetId : ""}`,
    );
    expect(summary.sort()).toEqual(
      [
        `publish ${q1?.packetId} dup true`,
        `pubrel ${released?.packetId}`,
        `publish ${unreceived?.packetId} dup true`,
      ].sort(),
    );
  });
});

describe("4.6 Message ordering", () => {
  it("[MQTT-4.6.0-1] the server resends unacknowledged PUBLISH packets in their original order", async () => {
    const broker = await start();
    const { subscriber, publisher } = await persistentPair(broker, "resend-order", "ro/t", 1);
    for (const payload of ["a", "b", "c", "d"])
      await publish(publisher, "ro/t", payload, { qos: 1 });
    const original = await receiveAll(subscriber, 4);
    const again = await reconnect(broker, subscriber, "resend-order");
    const resent = await receiveAll(again, 4);
    expect(resent.map((m) => text(m.payload))).toEqual(["a", "b", "c", "d"]);
    expect(resent.map((m) => m.packetId)).toEqual(original.map((m) => m.packetId));
  });

  it("[MQTT-4.6.0-2] the server sends PUBACKs in the order of the PUBLISH packets", async () => {
    const { client: connected } = await start();
    const client = await connected("puback-order");
    const ids = [10, 7, 300, 2, 65535];
    for (const packetId of ids) {
      client.send({
        type: "publish",
        topic: "pao/t",
        payload: bytes("x"),
        qos: 1,
        packetId,
        retain: false,
        dup: false,
      });
    }
    const acks = [];
    for (const _ of ids) acks.push((await client.expectPacket("puback")).packetId);
    expect(acks).toEqual(ids);
  });

  it("[MQTT-4.6.0-3] the server sends PUBRECs in the order of the PUBLISH packets", async () => {
    const { client: connected } = await start();
    const client = await connected("pubrec-order");
    const ids = [20, 5, 1000, 3];
    for (const packetId of ids) {
      client.send({
        type: "publish",
        topic: "pro/t",
        payload: bytes("x"),
        qos: 2,
        packetId,
        retain: false,
        dup: false,
      });
    }
    const recs = [];
    for (const _ of ids) recs.push((await client.expectPacket("pubrec")).packetId);
    expect(recs).toEqual(ids);
  });

  it("[MQTT-4.6.0-4] the server sends PUBRELs in the order of the PUBRECs it receives", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("pubrel-order");
    await subscribe(subscriber, [["prl/t", 2]]);
    const publisher = await connected("pubrel-order-pub");
    for (const payload of ["a", "b", "c"]) await publish(publisher, "prl/t", payload, { qos: 2 });
    const ids = (await receiveAll(subscriber, 3)).map((m) => m.packetId ?? 0);
    const recOrder = [ids[2] ?? 0, ids[0] ?? 0, ids[1] ?? 0];
    for (const packetId of recOrder) subscriber.send({ type: "pubrec", packetId });
    const rels = [];
    for (const _ of recOrder) rels.push((await subscriber.expectPacket("pubrel")).packetId);
    expect(rels).toEqual(recOrder);
  });

  it("[MQTT-4.6.0-5] a topic is ordered by default: messages arrive in the order they were published", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("ordered-sub");
    await subscribe(subscriber, [["ordered/t", 1]]);
    const publisher = await connected("ordered-pub");
    const payloads = Array.from({ length: 30 }, (_, index) => `m${index}`);
    for (const [index, payload] of payloads.entries()) {
      publisher.send({
        type: "publish",
        topic: "ordered/t",
        payload: bytes(payload),
        qos: 1,
        packetId: index + 1,
        retain: false,
        dup: false,
      });
    }
    const received: string[] = [];
    for (const _ of payloads) {
      const message = await subscriber.expectPacket("publish");
      received.push(text(message.payload));
      subscriber.send({ type: "puback", packetId: message.packetId ?? 0 });
    }
    expect(received).toEqual(payloads);
  });

  it("[MQTT-4.6.0-6] each subscriber gets one client's messages of a topic and QoS in publishing order", async () => {
    const { client: connected } = await start();
    const zero = await connected("order-q0");
    await subscribe(zero, [["o6/t", 0]]);
    const two = await connected("order-q2");
    await subscribe(two, [["o6/#", 2]]);
    const publisher = await connected("order6-pub");
    const payloads = Array.from({ length: 10 }, (_, index) => `p${index}`);
    for (const [index, payload] of payloads.entries()) {
      publisher.send({
        type: "publish",
        topic: "o6/t",
        payload: bytes(payload),
        qos: 2,
        packetId: index + 1,
        retain: false,
        dup: false,
      });
      await publisher.expectPacket("pubrec");
      publisher.send({ type: "pubrel", packetId: index + 1 });
      await publisher.expectPacket("pubcomp");
    }
    const atZero = (await receiveAll(zero, 10)).map((m) => text(m.payload));
    const atTwo = (await receiveQos2(two, 10)).map((m) => text(m.payload));
    expect(atZero).toEqual(payloads);
    expect(atTwo).toEqual(payloads);
  });
});
