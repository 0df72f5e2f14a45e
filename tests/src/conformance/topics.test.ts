import { describe, expect, it } from "vitest";
import {
  bytes,
  publish,
  subscribe,
  text,
  useConformanceBroker,
} from "../helpers/conformance-broker.js";
import { frame, lengthPrefixed, packetIdField } from "../helpers/mqtt-bytes.js";
import type { RawClient } from "../helpers/raw-client.js";

// MQTT 3.1.1 topic names and filters (4.7) and strings (1.5.3).

const { start } = useConformanceBroker();

/**
 * An invalid topic filter is a protocol violation by the client. The server either closes the
 * connection [MQTT-4.8.0-1] or refuses that filter with 0x80 [MQTT-3.8.4-5]; it never grants it.
 */
async function expectFilterRefused(client: RawClient, topicFilter: string): Promise<void> {
  client.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter, qos: 0 }] });
  const answer = await client.nextPacket().catch(() => undefined);
  if (answer === undefined) {
    expect(client.closed).toBe(true);
    return;
  }
  expect(answer.type === "suback" ? answer.reasonCodes : answer.type).toEqual([0x80]);
}

describe("1.5.3 UTF-8 encoded strings", () => {
  it("[MQTT-1.5.3-3] a leading U+FEFF in a topic is kept: it is part of the name, neither skipped nor stripped", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("bom-sub");
    await subscribe(subscriber, [["\uFEFFbom/t", 0]]);
    const publisher = await connected("bom-pub");
    await publish(publisher, "bom/t", "without", { qos: 0 });
    await publish(publisher, "\uFEFFbom/t", "with", { qos: 0 });
    const message = await subscriber.expectPacket("publish");
    expect([message.topic, text(message.payload)]).toEqual(["\uFEFFbom/t", "with"]);
    await subscriber.expectNothing(100);
  });
});

describe("4.7.1 Topic wildcards", () => {
  it("[MQTT-4.7.1-1] a topic name with the multi-level wildcard closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("hash-name");
    client.send({
      type: "publish",
      topic: "a/#",
      payload: bytes("x"),
      qos: 1,
      packetId: 1,
      retain: false,
      dup: false,
    });
    await client.expectClosed();
  });

  it("[MQTT-4.7.1-2] a multi-level wildcard that is not the whole last level is never granted", async () => {
    const { client: connected } = await start();
    await expectFilterRefused(await connected("hash-middle"), "a/#/b");
    await expectFilterRefused(await connected("hash-suffix"), "a/b#");
  });

  it("[MQTT-4.7.1-3] a single-level wildcard that does not fill its level is never granted", async () => {
    const { client: connected } = await start();
    await expectFilterRefused(await connected("plus-suffix"), "a/b+");
    await expectFilterRefused(await connected("plus-prefix"), "+a/b");
  });
});

describe("4.7.2 Topics beginning with $", () => {
  it("[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with $", async () => {
    const { client: connected } = await start();
    const wildcards = await connected("dollar-wild");
    await subscribe(wildcards, [
      ["#", 0],
      ["+/x", 0],
      ["+/#", 0],
    ]);
    const explicit = await connected("dollar-explicit");
    await subscribe(explicit, [["$app/#", 0]]);
    const publisher = await connected("dollar-pub");
    await publish(publisher, "$app/x", "dollar", { qos: 0 });
    expect((await explicit.expectPacket("publish")).topic).toBe("$app/x");
    await wildcards.expectNothing(200);
  });
});

describe("4.7.3 Topic semantic and usage", () => {
  it("[MQTT-4.7.3-1] a PUBLISH with an empty topic name closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("empty-name");
    client.sendBytes(frame(0x30, [...lengthPrefixed([]), 0x61]));
    await client.expectClosed();
  });

  it("[MQTT-4.7.3-1] an empty topic filter is never granted", async () => {
    const { client: connected } = await start();
    await expectFilterRefused(await connected("empty-filter"), "");
  });

  it("[MQTT-4.7.3-2] a topic filter containing U+0000 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("null-filter");
    client.sendBytes(
      frame(0x82, [...packetIdField(1), ...lengthPrefixed([0x61, 0x00, 0x62]), 0x00]),
    );
    await client.expectClosed();
  });

  it("[MQTT-4.7.3-3] a topic of 65,535 bytes, the encodable maximum, is subscribed to and delivered", async () => {
    const { client: connected } = await start();
    const longTopic = "L".repeat(65_535);
    const subscriber = await connected("long-sub");
    expect(await subscribe(subscriber, [[longTopic, 0]])).toEqual([0]);
    const publisher = await connected("long-pub");
    await publish(publisher, longTopic, "long", { qos: 0 });
    const message = await subscriber.expectPacket("publish");
    expect(message.topic.length).toBe(65_535);
  });

  it("[MQTT-4.7.3-4] matching does not normalize: case, Unicode forms and spaces are significant", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("norm-sub");
    await subscribe(subscriber, [["norm/caf\u00e9", 0]]);
    const publisher = await connected("norm-pub");
    for (const topic of [
      "norm/cafe\u0301",
      "Norm/caf\u00e9",
      "norm/caf\u00e9 ",
      "norm/caf\u00c9",
    ]) {
      await publish(publisher, topic, "other", { qos: 0 });
    }
    await publish(publisher, "norm/caf\u00e9", "same", { qos: 0 });
    const message = await subscriber.expectPacket("publish");
    expect([message.topic, text(message.payload)]).toEqual(["norm/caf\u00e9", "same"]);
    await subscriber.expectNothing(100);
  });
});
