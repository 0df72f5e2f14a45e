import { describe, expect, it } from "vitest";
import {
  bytes,
  publish,
  subscribe,
  text,
  useConformanceBroker,
} from "../helpers/conformance-broker.js";

// MQTT 3.1.1 sessions: CleanSession (3.1.2.4), client identifiers (3.1.3-2), takeover (3.1.4-2)
// and session state (4.1).

const { start } = useConformanceBroker();

describe("3.1.2.4 Clean Session", () => {
  it("[MQTT-3.1.2-4] CleanSession 0 resumes the stored session: subscriptions still deliver", async () => {
    const { session, client: connected } = await start();
    const first = await session({ clientId: "resume", clean: false });
    await subscribe(first.client, [["resume/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const again = await session({ clientId: "resume", clean: false });
    expect(again.connack.sessionPresent).toBe(true);
    const publisher = await connected("resume-pub");
    await publish(publisher, "resume/t", "after reconnect", { qos: 1 });
    const message = await again.client.expectPacket("publish");
    expect(text(message.payload)).toBe("after reconnect");
  });

  it("[MQTT-3.1.2-5] QoS 1 and 2 messages for an offline CleanSession 0 client are stored and delivered", async () => {
    const { session, client: connected } = await start();
    const first = await session({ clientId: "offline", clean: false });
    await subscribe(first.client, [
      ["offline/one", 1],
      ["offline/two", 2],
    ]);
    first.client.destroy();
    await first.client.expectClosed();
    const publisher = await connected("offline-pub");
    await publish(publisher, "offline/one", "q1", { qos: 1, packetId: 1 });
    await publish(publisher, "offline/two", "q2", { qos: 2, packetId: 2 });
    const again = await session({ clientId: "offline", clean: false });
    const received = [
      await again.client.expectPacket("publish"),
      await again.client.expectPacket("publish"),
    ];
    expect(received.map((message) => [message.topic, message.qos, text(message.payload)])).toEqual([
      ["offline/one", 1, "q1"],
      ["offline/two", 2, "q2"],
    ]);
  });

  it("[MQTT-3.1.2-6] CleanSession 1 discards the stored session and its state is never reused", async () => {
    const { session, client: connected } = await start();
    const first = await session({ clientId: "discard", clean: false });
    await subscribe(first.client, [["discard/t", 1]]);
    first.client.send({ type: "disconnect" });
    await first.client.expectClosed();
    const clean = await session({ clientId: "discard", clean: true });
    expect(clean.connack.sessionPresent).toBe(false);
    const publisher = await connected("discard-pub");
    await publish(publisher, "discard/t", "x", { qos: 1 });
    await clean.client.expectNothing(200);
    clean.client.send({ type: "disconnect" });
    await clean.client.expectClosed();
    const later = await session({ clientId: "discard", clean: false });
    expect(later.connack.sessionPresent).toBe(false);
    await publish(publisher, "discard/t", "y", { qos: 1 });
    await later.client.expectNothing(200);
  });

  it("[MQTT-3.1.2-7] retained messages outlive the session of the client that published them", async () => {
    const { session, client: connected } = await start();
    const { client: publisher } = await session({ clientId: "retainer", clean: true });
    await publish(publisher, "kept/t", "still here", { qos: 1, retain: true });
    publisher.send({ type: "disconnect" });
    await publisher.expectClosed();
    const subscriber = await connected("kept-sub");
    await subscribe(subscriber, [["kept/t", 1]]);
    const message = await subscriber.expectPacket("publish");
    expect(text(message.payload)).toBe("still here");
    expect(message.retain).toBe(true);
  });
});

describe("3.1.3 / 3.1.4 client identifier and takeover", () => {
  it("[MQTT-3.1.3-2] the client id selects the session: another id does not see it", async () => {
    const { session } = await start();
    const a = await session({ clientId: "owner-a", clean: false });
    await subscribe(a.client, [["owner/t", 1]]);
    a.client.send({ type: "disconnect" });
    await a.client.expectClosed();
    const b = await session({ clientId: "owner-b", clean: false });
    expect(b.connack.sessionPresent).toBe(false);
    const aAgain = await session({ clientId: "owner-a", clean: false });
    expect(aAgain.connack.sessionPresent).toBe(true);
  });

  it("[MQTT-3.1.4-2] a second connection with the same client id disconnects the first", async () => {
    const { session } = await start();
    const first = await session({ clientId: "taken" });
    const second = await session({ clientId: "taken" });
    expect(second.connack.reasonCode).toBe(0);
    await first.client.expectClosed();
    second.client.send({ type: "pingreq" });
    await second.client.expectPacket("pingresp");
  });

  it("[MQTT-3.1.4-3] a takeover with CleanSession 0 keeps the session: Session Present 1, subscriptions live", async () => {
    const { session, client: connected } = await start();
    const first = await session({ clientId: "handover", clean: false });
    await subscribe(first.client, [["handover/t", 1]]);
    const second = await session({ clientId: "handover", clean: false });
    expect(second.connack.sessionPresent).toBe(true);
    await first.client.expectClosed();
    const publisher = await connected("handover-pub");
    await publish(publisher, "handover/t", "to the new connection", { qos: 1 });
    const message = await second.client.expectPacket("publish");
    expect(text(message.payload)).toBe("to the new connection");
  });
});

describe("4.1 Storing state", () => {
  it("[MQTT-4.1.0-1] inbound QoS 2 state outlives the connection: a resent PUBLISH is delivered once", async () => {
    const { session, client: connected } = await start();
    const subscriber = await connected("state-sub");
    await subscribe(subscriber, [["state/t", 2]]);
    const first = await session({ clientId: "state-pub", clean: false });
    const message = {
      type: "publish",
      topic: "state/t",
      payload: bytes("once"),
      qos: 2,
      retain: false,
    } as const;
    first.client.send({ ...message, dup: false, packetId: 7 });
    expect((await first.client.expectPacket("pubrec")).packetId).toBe(7);
    first.client.destroy();
    await first.client.expectClosed();
    const again = await session({ clientId: "state-pub", clean: false });
    expect(again.connack.sessionPresent).toBe(true);
    again.client.send({ ...message, dup: true, packetId: 7 });
    expect((await again.client.expectPacket("pubrec")).packetId).toBe(7);
    again.client.send({ type: "pubrel", packetId: 7 });
    expect((await again.client.expectPacket("pubcomp")).packetId).toBe(7);
    const delivered = await subscriber.expectPacket("publish");
    expect(text(delivered.payload)).toBe("once");
    if (delivered.packetId !== undefined) {
      subscriber.send({ type: "pubrec", packetId: delivered.packetId });
      await subscriber.expectPacket("pubrel");
      subscriber.send({ type: "pubcomp", packetId: delivered.packetId });
    }
    await subscriber.expectNothing(300);
  });

  it("[MQTT-4.1.0-2] a CleanSession 1 session lasts as long as its connection", async () => {
    const { session, client: connected } = await start();
    const { client: subscriber } = await session({ clientId: "lasting", clean: true });
    await subscribe(subscriber, [["lasting/t", 0]]);
    for (let index = 0; index < 5; index += 1) {
      const other = await connected(`passer-${index}`);
      other.send({ type: "disconnect" });
      await other.expectClosed();
    }
    const publisher = await connected("lasting-pub");
    await publish(publisher, "lasting/t", "still subscribed", { qos: 0 });
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("still subscribed");
  });
});
