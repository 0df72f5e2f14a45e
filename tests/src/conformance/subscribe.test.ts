import { describe, expect, it } from "vitest";
import { publish, subscribe, text, useConformanceBroker } from "../helpers/conformance-broker.js";
import { frame, lengthPrefixed, packetIdField, stringField } from "../helpers/mqtt-bytes.js";

// MQTT 3.1.1 SUBSCRIBE (3.8), SUBACK (3.9), UNSUBSCRIBE (3.10) and UNSUBACK (3.11).

const { start } = useConformanceBroker();

describe("3.8 SUBSCRIBE", () => {
  it("[MQTT-2.3.1-7] SUBACK and UNSUBACK carry the packet identifier of their request", async () => {
    const { client: connected } = await start();
    const client = await connected("ids");
    client.send({
      type: "subscribe",
      packetId: 0x1234,
      subscriptions: [{ topicFilter: "ids/t", qos: 0 }],
    });
    expect((await client.expectPacket("suback")).packetId).toBe(0x1234);
    client.send({ type: "unsubscribe", packetId: 0xbeef, topicFilters: ["ids/t"] });
    expect((await client.expectPacket("unsuback")).packetId).toBe(0xbeef);
  });

  it("[MQTT-3.8.1-1] SUBSCRIBE with fixed header flags other than 0010 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("sub-flags");
    client.sendBytes(frame(0x80, [...packetIdField(1), ...stringField("a"), 0x00]));
    await client.expectClosed();
  });

  it("[MQTT-3.8.3-1] a topic filter that is not well-formed UTF-8 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("sub-utf8");
    client.sendBytes(
      frame(0x82, [...packetIdField(1), ...lengthPrefixed([0x61, 0xf8, 0x88]), 0x00]),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.8.3-2] wildcard topic filters are supported: granted and matched", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("wild-sub");
    expect(
      await subscribe(subscriber, [
        ["wild/+/x", 0],
        ["wild/deep/#", 0],
      ]),
    ).toEqual([0, 0]);
    const publisher = await connected("wild-pub");
    await publish(publisher, "wild/one/x", "plus", { qos: 0 });
    await publish(publisher, "wild/deep/a/b", "hash", { qos: 0 });
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("plus");
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("hash");
  });

  it("[MQTT-3.8.3-3] a SUBSCRIBE without any topic filter closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("sub-empty");
    client.sendBytes(frame(0x82, packetIdField(1)));
    await client.expectClosed();
  });

  it("[MQTT-3.8.3-4] reserved bits set in the requested QoS byte close the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("sub-reserved");
    client.sendBytes(frame(0x82, [...packetIdField(1), ...stringField("a"), 0x04]));
    await client.expectClosed();
  });

  it("[MQTT-3.8.3-4] a requested QoS of 3 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("sub-qos3");
    client.sendBytes(frame(0x82, [...packetIdField(1), ...stringField("a"), 0x03]));
    await client.expectClosed();
  });
});

describe("3.8.4 SUBSCRIBE response", () => {
  it("[MQTT-3.8.4-1] every SUBSCRIBE is answered with a SUBACK, a refused one included", async () => {
    const { client: connected } = await start({
      hooks: {
        authorizeSubscribe: (_client, filter, qos) => (filter.startsWith("deny/") ? 0x80 : qos),
      },
    });
    const client = await connected("answered");
    expect(await subscribe(client, [["deny/t", 1]], 1)).toEqual([0x80]);
    expect(await subscribe(client, [["allow/t", 1]], 2)).toEqual([1]);
  });

  it("[MQTT-3.8.4-2] each SUBACK has the packet identifier of its SUBSCRIBE", async () => {
    const { client: connected } = await start();
    const client = await connected("suback-ids");
    for (const packetId of [3, 4, 65535]) {
      client.send({
        type: "subscribe",
        packetId,
        subscriptions: [{ topicFilter: `ids/${packetId}`, qos: 1 }],
      });
    }
    const ids = [];
    for (let index = 0; index < 3; index += 1)
      ids.push((await client.expectPacket("suback")).packetId);
    expect(ids).toEqual([3, 4, 65535]);
  });

  it("[MQTT-3.8.4-3] subscribing again to the same filter replaces its QoS and resends retained messages", async () => {
    const { client: connected } = await start();
    const publisher = await connected("replace-pub");
    await publish(publisher, "replace/t", "retained", { qos: 2, retain: true });
    const subscriber = await connected("replace-sub");
    expect(await subscribe(subscriber, [["replace/t", 0]], 1)).toEqual([0]);
    expect((await subscriber.expectPacket("publish")).qos).toBe(0);
    expect(await subscribe(subscriber, [["replace/t", 2]], 2)).toEqual([2]);
    const resent = await subscriber.expectPacket("publish");
    expect([resent.qos, resent.retain, text(resent.payload)]).toEqual([2, true, "retained"]);
    subscriber.send({ type: "pubrec", packetId: resent.packetId ?? 0 });
    await subscriber.expectPacket("pubrel");
    subscriber.send({ type: "pubcomp", packetId: resent.packetId ?? 0 });
    await publish(publisher, "replace/t", "live", { qos: 2, packetId: 9 });
    const live = await subscriber.expectPacket("publish");
    expect([live.qos, text(live.payload)]).toEqual([2, "live"]);
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.8.4-4] several filters in one SUBSCRIBE act as a sequence of SUBSCRIBEs with one SUBACK", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("multi-sub");
    expect(
      await subscribe(subscriber, [
        ["multi/a", 0],
        ["multi/b", 1],
        ["multi/a", 1],
      ]),
    ).toEqual([0, 1, 1]);
    await subscriber.expectNothing(100);
    const publisher = await connected("multi-pub");
    await publish(publisher, "multi/a", "a", { qos: 1 });
    const first = await subscriber.expectPacket("publish");
    expect([first.topic, first.qos]).toEqual(["multi/a", 1]);
    subscriber.send({ type: "puback", packetId: first.packetId ?? 0 });
    await publish(publisher, "multi/b", "b", { qos: 1 });
    expect((await subscriber.expectPacket("publish")).topic).toBe("multi/b");
  });

  it("[MQTT-3.8.4-5] SUBACK has one code per filter: the granted maximum QoS or 0x80", async () => {
    const { client: connected } = await start({
      maxQoS: 1,
      hooks: {
        authorizeSubscribe: (_client, filter, qos) => (filter === "codes/deny" ? 0x80 : qos),
      },
    });
    const client = await connected("codes");
    expect(
      await subscribe(client, [
        ["codes/0", 0],
        ["codes/1", 1],
        ["codes/2", 2],
        ["codes/deny", 2],
      ]),
    ).toEqual([0, 1, 1, 0x80]);
  });

  it("[MQTT-3.8.4-6] messages are delivered at the lower of the published QoS and the granted QoS", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("min-sub");
    await subscribe(subscriber, [["min/t", 1]]);
    const publisher = await connected("min-pub");
    await publish(publisher, "min/t", "two", { qos: 2 });
    const downgraded = await subscriber.expectPacket("publish");
    expect(downgraded.qos).toBe(1);
    subscriber.send({ type: "puback", packetId: downgraded.packetId ?? 0 });
    await publish(publisher, "min/t", "zero", { qos: 0 });
    expect((await subscriber.expectPacket("publish")).qos).toBe(0);
  });
});

describe("3.9 SUBACK", () => {
  it("[MQTT-3.9.3-1] SUBACK return codes are in the order of the filters", async () => {
    const { client: connected } = await start();
    const client = await connected("order");
    expect(
      await subscribe(client, [
        ["o/2", 2],
        ["o/0", 0],
        ["o/1", 1],
        ["o/2b", 2],
      ]),
    ).toEqual([2, 0, 1, 2]);
  });

  it("[MQTT-3.9.3-2] SUBACK return codes are only 0x00, 0x01, 0x02 or 0x80", async () => {
    const { client: connected } = await start({
      maxQoS: 1,
      hooks: { authorizeSubscribe: (_client, filter, qos) => (filter.endsWith("x") ? 0x80 : qos) },
    });
    const client = await connected("allowed-codes");
    const codes = await subscribe(client, [
      ["c/a", 0],
      ["c/b", 1],
      ["c/c", 2],
      ["c/x", 2],
      ["#", 2],
    ]);
    expect(codes).toHaveLength(5);
    for (const code of codes) expect([0, 1, 2, 0x80]).toContain(code);
  });
});

describe("3.10 UNSUBSCRIBE", () => {
  it("[MQTT-3.10.1-1] UNSUBSCRIBE with fixed header flags other than 0010 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("unsub-flags");
    client.sendBytes(frame(0xa0, [...packetIdField(1), ...stringField("a")]));
    await client.expectClosed();
  });

  it("[MQTT-3.10.3-1] an UNSUBSCRIBE filter that is not well-formed UTF-8 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("unsub-utf8");
    client.sendBytes(frame(0xa2, [...packetIdField(1), ...lengthPrefixed([0xe2, 0x82])]));
    await client.expectClosed();
  });

  it("[MQTT-3.10.3-2] an UNSUBSCRIBE without any topic filter closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("unsub-empty");
    client.sendBytes(frame(0xa2, packetIdField(1)));
    await client.expectClosed();
  });

  it("[MQTT-3.10.4-1] UNSUBSCRIBE compares filters byte for byte, wildcards unexpanded", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("bytewise");
    await subscribe(subscriber, [["bw/+", 0]]);
    subscriber.send({ type: "unsubscribe", packetId: 2, topicFilters: ["bw/x", "bw/#", "BW/+"] });
    await subscriber.expectPacket("unsuback");
    const publisher = await connected("bytewise-pub");
    await publish(publisher, "bw/x", "still", { qos: 0 });
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("still");
    subscriber.send({ type: "unsubscribe", packetId: 3, topicFilters: ["bw/+"] });
    await subscriber.expectPacket("unsuback");
    await publish(publisher, "bw/x", "gone", { qos: 0 });
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.10.4-2] after UNSUBACK no new message is added for the removed subscription", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("stop-sub");
    await subscribe(subscriber, [["stop/t", 1]]);
    subscriber.send({ type: "unsubscribe", packetId: 2, topicFilters: ["stop/t"] });
    await subscriber.expectPacket("unsuback");
    const publisher = await connected("stop-pub");
    await publish(publisher, "stop/t", "late", { qos: 1 });
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.10.4-3] a QoS 2 delivery started before UNSUBSCRIBE is completed after it", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("finish-sub");
    await subscribe(subscriber, [["finish/t", 2]]);
    const publisher = await connected("finish-pub");
    await publish(publisher, "finish/t", "in flight", { qos: 2 });
    const message = await subscriber.expectPacket("publish");
    const packetId = message.packetId ?? 0;
    subscriber.send({ type: "unsubscribe", packetId: 77, topicFilters: ["finish/t"] });
    expect((await subscriber.expectPacket("unsuback")).packetId).toBe(77);
    subscriber.send({ type: "pubrec", packetId });
    expect((await subscriber.expectPacket("pubrel")).packetId).toBe(packetId);
    subscriber.send({ type: "pubcomp", packetId });
    await subscriber.expectNothing(200);
  });

  it("[MQTT-3.10.4-4] the UNSUBACK has the packet identifier of its UNSUBSCRIBE", async () => {
    const { client: connected } = await start();
    const client = await connected("unsuback-id");
    await subscribe(client, [["u/t", 0]]);
    client.send({ type: "unsubscribe", packetId: 4242, topicFilters: ["u/t"] });
    expect((await client.expectPacket("unsuback")).packetId).toBe(4242);
  });

  it("[MQTT-3.10.4-5] UNSUBACK is sent even when no subscription was removed", async () => {
    const { client: connected } = await start();
    const client = await connected("unsub-none");
    client.send({ type: "unsubscribe", packetId: 5, topicFilters: ["never/subscribed"] });
    expect((await client.expectPacket("unsuback")).packetId).toBe(5);
  });

  it("[MQTT-3.10.4-6] several filters in one UNSUBSCRIBE are all removed, with one UNSUBACK", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("unsub-multi");
    await subscribe(subscriber, [
      ["um/a", 0],
      ["um/b", 0],
      ["um/c", 0],
    ]);
    subscriber.send({ type: "unsubscribe", packetId: 6, topicFilters: ["um/a", "um/b"] });
    expect((await subscriber.expectPacket("unsuback")).packetId).toBe(6);
    const publisher = await connected("unsub-multi-pub");
    await publish(publisher, "um/a", "a", { qos: 0 });
    await publish(publisher, "um/b", "b", { qos: 0 });
    await publish(publisher, "um/c", "c", { qos: 0 });
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("c");
    await subscriber.expectNothing(200);
  });
});
