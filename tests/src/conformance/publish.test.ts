import { describe, expect, it } from "vitest";
import {
  bytes,
  publish,
  subscribe,
  text,
  useConformanceBroker,
} from "../helpers/conformance-broker.js";
import { frame, lengthPrefixed, splitFrames, stringField } from "../helpers/mqtt-bytes.js";

// MQTT 3.1.1 PUBLISH (3.3): flags, retained messages, topic names, responses, delivery.

const { start } = useConformanceBroker();

describe("3.3.1 PUBLISH fixed header", () => {
  it("[MQTT-2.3.1-5] a QoS 0 PUBLISH sent by the server has no packet identifier", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("q0-sub");
    await subscribe(subscriber, [["q0/t", 0]]);
    const publisher = await connected("q0-pub");
    await publish(publisher, "q0/t", "abc", { qos: 0 });
    await subscriber.expectPacket("publish");
    const publishFrame = splitFrames(subscriber.receivedChunks).find((f) => f.firstByte >> 4 === 3);
    // Remaining Length = topic field (2 + 4) + payload (3): no room for a packet identifier.
    expect(publishFrame?.remainingLength).toBe(9);
  });

  it("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP 1 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("dup-q0");
    client.sendBytes(frame(0x38, [...stringField("dup/t"), 0x61]));
    await client.expectClosed();
  });

  it("[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not propagated to subscribers", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("dup-sub");
    await subscribe(subscriber, [["dup/t", 1]]);
    const publisher = await connected("dup-pub");
    publisher.send({
      type: "publish",
      topic: "dup/t",
      payload: bytes("d"),
      qos: 1,
      packetId: 5,
      retain: false,
      dup: true,
    });
    expect((await publisher.expectPacket("puback")).packetId).toBe(5);
    const message = await subscriber.expectPacket("publish");
    expect(message.dup).toBe(false);
  });

  it("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("qos3");
    client.sendBytes(frame(0x36, [...stringField("q3/t"), 0x00, 0x01, 0x61]));
    await client.expectClosed();
  });
});

describe("3.3.1.3 RETAIN", () => {
  it("[MQTT-3.3.1-5] a retained message is stored with its QoS for future subscribers", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r5-pub");
    await publish(publisher, "r5/t", "stored", { qos: 1, retain: true });
    const subscriber = await connected("r5-sub");
    await subscribe(subscriber, [["r5/t", 2]]);
    const message = await subscriber.expectPacket("publish");
    expect([message.qos, message.retain, text(message.payload)]).toEqual([1, true, "stored"]);
  });

  it("[MQTT-3.3.1-6] a new subscription receives the last retained message of every matching topic", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r6-pub");
    await publish(publisher, "r6/a", "a1", { qos: 1, retain: true });
    await publish(publisher, "r6/b", "b1", { qos: 1, retain: true });
    await publish(publisher, "r6/a", "a2", { qos: 1, retain: true });
    const subscriber = await connected("r6-sub");
    await subscribe(subscriber, [["r6/+", 0]]);
    const received = [
      await subscriber.expectPacket("publish"),
      await subscriber.expectPacket("publish"),
    ];
    expect(received.map((m) => `${m.topic}=${text(m.payload)}`).sort()).toEqual([
      "r6/a=a2",
      "r6/b=b1",
    ]);
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.3.1-7] a retained QoS 0 message replaces the previously retained message", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r7-pub");
    await publish(publisher, "r7/t", "old", { qos: 1, retain: true });
    await publish(publisher, "r7/t", "new", { qos: 0, retain: true });
    const subscriber = await connected("r7-sub");
    await subscribe(subscriber, [["r7/t", 1]]);
    const message = await subscriber.expectPacket("publish");
    expect([text(message.payload), message.qos]).toEqual(["new", 0]);
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.3.1-8] a message sent because of a new subscription has RETAIN 1", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r8-pub");
    await publish(publisher, "r8/t", "r", { qos: 0, retain: true });
    const subscriber = await connected("r8-sub");
    await subscribe(subscriber, [["r8/#", 0]]);
    expect((await subscriber.expectPacket("publish")).retain).toBe(true);
    const publishFrame = splitFrames(subscriber.receivedChunks).find((f) => f.firstByte >> 4 === 3);
    expect(publishFrame?.firstByte).toBe(0x31);
  });

  it("[MQTT-3.3.1-9] a message sent to an established subscription has RETAIN 0, even if published retained", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("r9-sub");
    await subscribe(subscriber, [["r9/t", 0]]);
    const publisher = await connected("r9-pub");
    await publish(publisher, "r9/t", "live", { qos: 0, retain: true });
    expect((await subscriber.expectPacket("publish")).retain).toBe(false);
  });

  it("[MQTT-3.3.1-10] an empty retained message is delivered normally and removes the retained message", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r10-pub");
    await publish(publisher, "r10/t", "to be removed", { qos: 1, retain: true });
    const subscriber = await connected("r10-sub");
    await subscribe(subscriber, [["r10/t", 0]]);
    expect((await subscriber.expectPacket("publish")).retain).toBe(true);
    await publish(publisher, "r10/t", "", { qos: 1, retain: true });
    const cleared = await subscriber.expectPacket("publish");
    expect(cleared.payload.length).toBe(0);
    const late = await connected("r10-late");
    await subscribe(late, [["r10/t", 1]]);
    await late.expectNothing(200);
  });

  it("[MQTT-3.3.1-11] an empty retained message is never stored", async () => {
    const { broker, client: connected } = await start();
    const publisher = await connected("r11-pub");
    await publish(publisher, "r11/t", "", { qos: 1, retain: true });
    const subscriber = await connected("r11-sub");
    await subscribe(subscriber, [["r11/#", 1]]);
    await subscriber.expectNothing(200);
    expect(broker.stats.retainedCount).toBe(0);
  });

  it("[MQTT-3.3.1-12] RETAIN 0 neither stores the message nor replaces the retained one", async () => {
    const { client: connected } = await start();
    const publisher = await connected("r12-pub");
    await publish(publisher, "r12/t", "keep", { qos: 1, retain: true });
    await publish(publisher, "r12/t", "passing", { qos: 1, retain: false });
    await publish(publisher, "r12/u", "not stored", { qos: 1, retain: false });
    const subscriber = await connected("r12-sub");
    await subscribe(subscriber, [["r12/+", 1]]);
    const message = await subscriber.expectPacket("publish");
    expect([message.topic, text(message.payload)]).toEqual(["r12/t", "keep"]);
    await subscriber.expectNothing(200);
  });
});

describe("3.3.2 Topic Name", () => {
  it("[MQTT-3.3.2-1] a PUBLISH whose topic name is not well-formed UTF-8 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("bad-topic");
    client.sendBytes(frame(0x30, [...lengthPrefixed([0x74, 0xc0, 0xaf]), 0x61]));
    await client.expectClosed();
  });

  it("[MQTT-3.3.2-2] a PUBLISH topic name with a wildcard closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("wild-topic");
    client.send({
      type: "publish",
      topic: "a/+/b",
      payload: bytes("x"),
      qos: 0,
      retain: false,
      dup: false,
    });
    await client.expectClosed();
  });

  it("[MQTT-3.3.2-3] the topic name sent to a subscriber is the published name, which matches its filter", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("name-sub");
    await subscribe(subscriber, [["name/+/end", 0]]);
    const publisher = await connected("name-pub");
    await publish(publisher, "name/middle/end", "n", { qos: 0 });
    expect((await subscriber.expectPacket("publish")).topic).toBe("name/middle/end");
  });
});

describe("3.3.4 / 3.3.5 PUBLISH response and actions", () => {
  it("[MQTT-3.3.4-1] QoS 0 gets no response, QoS 1 a PUBACK, QoS 2 a PUBREC, each with the packet id", async () => {
    const { client: connected } = await start();
    const client = await connected("responder");
    const message = {
      type: "publish",
      topic: "resp/t",
      payload: bytes("r"),
      retain: false,
      dup: false,
    } as const;
    client.send({ ...message, qos: 0 });
    client.send({ ...message, qos: 1, packetId: 11 });
    client.send({ ...message, qos: 2, packetId: 12 });
    expect((await client.expectPacket("puback")).packetId).toBe(11);
    expect((await client.expectPacket("pubrec")).packetId).toBe(12);
    await client.expectNothing(200);
  });

  it("[MQTT-3.3.5-1] overlapping subscriptions get one delivery at the highest granted QoS", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("overlap-sub");
    expect(
      await subscribe(subscriber, [
        ["ov/#", 0],
        ["ov/+", 2],
        ["ov/x", 1],
      ]),
    ).toEqual([0, 2, 1]);
    const publisher = await connected("overlap-pub");
    await publish(publisher, "ov/x", "once", { qos: 2 });
    const message = await subscriber.expectPacket("publish");
    expect(message.qos).toBe(2);
    await subscriber.expectNothing(300);
  });

  it("[MQTT-3.3.5-2] an unauthorized PUBLISH is acknowledged per its QoS, not delivered, connection kept", async () => {
    const { client: connected } = await start({
      hooks: { authorizePublish: (_client, topic) => !topic.startsWith("forbidden/") },
    });
    const subscriber = await connected("authz-sub");
    await subscribe(subscriber, [["forbidden/#", 1]]);
    const publisher = await connected("authz-pub");
    await publish(publisher, "forbidden/t", "no", { qos: 1 });
    await publish(publisher, "forbidden/t", "no", { qos: 2, packetId: 2 });
    await subscriber.expectNothing(300);
    publisher.send({ type: "pingreq" });
    await publisher.expectPacket("pingresp");
  });

  it("[MQTT-3.3.5-2] a client PUBLISH to $SYS is acknowledged, then dropped", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("sys-sub");
    await subscribe(subscriber, [["$SYS/#", 1]]);
    const publisher = await connected("sys-pub");
    await publish(publisher, "$SYS/broker/fake", "spoof", { qos: 1, retain: true });
    await subscriber.expectNothing(300);
  });
});

describe("4.5 Message receipt", () => {
  it("[MQTT-4.5.0-1] a message goes to the session of every matching subscriber, connected or not", async () => {
    const { session, client: connected } = await start();
    const one = await connected("fan-1");
    await subscribe(one, [["fan/t", 1]]);
    const two = await connected("fan-2");
    await subscribe(two, [["fan/#", 1]]);
    const offline = await session({ clientId: "fan-3", clean: false });
    await subscribe(offline.client, [["+/t", 1]]);
    offline.client.send({ type: "disconnect" });
    await offline.client.expectClosed();
    const publisher = await connected("fan-pub");
    await publish(publisher, "fan/t", "all", { qos: 1 });
    expect(text((await one.expectPacket("publish")).payload)).toBe("all");
    expect(text((await two.expectPacket("publish")).payload)).toBe("all");
    const back = await session({ clientId: "fan-3", clean: false });
    expect(text((await back.client.expectPacket("publish")).payload)).toBe("all");
  });
});
