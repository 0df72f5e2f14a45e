import { describe, expect, it } from "vitest";
import { publish, subscribe, text, useConformanceBroker } from "../helpers/conformance-broker.js";
import {
  frame,
  lengthPrefixed,
  packetIdField,
  splitFrames,
  stringField,
} from "../helpers/mqtt-bytes.js";

// MQTT 3.1.1 malformed input: UTF-8 (1.5.3), fixed header flags (2.2.2) and error handling (4.8).

const { start } = useConformanceBroker();

describe("1.5.3 UTF-8 encoded strings", () => {
  it("[MQTT-1.5.3-1] a string encoding a UTF-16 surrogate (U+D800) closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("surrogate");
    client.sendBytes(
      frame(0x82, [...packetIdField(1), ...lengthPrefixed([0x61, 0xed, 0xa0, 0x80]), 0x00]),
    );
    await client.expectClosed();
  });

  it("[MQTT-1.5.3-1] an overlong UTF-8 encoding in a topic name closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("overlong");
    client.sendBytes(frame(0x30, [...lengthPrefixed([0x61, 0xc0, 0xaf]), 0x78]));
    await client.expectClosed();
  });

  it("[MQTT-1.5.3-2] a topic name containing U+0000 closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("null-name");
    client.sendBytes(frame(0x30, [...lengthPrefixed([0x61, 0x00, 0x62]), 0x78]));
    await client.expectClosed();
  });
});

describe("2.2.2 Flags", () => {
  it("[MQTT-2.2.2-1] every packet the server sends has the reserved flag bits its type requires", async () => {
    const { client: connected } = await start();
    const subscriber = await connected("flags-sub");
    await subscribe(subscriber, [["flags/t", 2]]);
    subscriber.send({ type: "unsubscribe", packetId: 2, topicFilters: ["none"] });
    await subscriber.expectPacket("unsuback");
    const publisher = await connected("flags-pub");
    await publish(publisher, "flags/t", "x", { qos: 2 });
    const exactlyOnce = await subscriber.expectPacket("publish");
    subscriber.send({ type: "pubrec", packetId: exactlyOnce.packetId ?? 0 });
    await subscriber.expectPacket("pubrel");
    subscriber.send({ type: "pubcomp", packetId: exactlyOnce.packetId ?? 0 });
    await publish(publisher, "flags/t", "y", { qos: 1, packetId: 2 });
    const atLeastOnce = await subscriber.expectPacket("publish");
    subscriber.send({ type: "puback", packetId: atLeastOnce.packetId ?? 0 });
    subscriber.send({ type: "pingreq" });
    await subscriber.expectPacket("pingresp");
    const required: Record<number, number> = { 2: 0, 4: 0, 5: 0, 6: 2, 7: 0, 9: 0, 11: 0, 13: 0 };
    const frames = [
      ...splitFrames(subscriber.receivedChunks),
      ...splitFrames(publisher.receivedChunks),
    ];
    const types = new Set(frames.map((f) => f.firstByte >> 4));
    expect([...types].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 9, 11, 13]);
    for (const { firstByte } of frames) {
      const type = firstByte >> 4;
      if (type !== 3)
        expect({ type, flags: firstByte & 0x0f }).toEqual({ type, flags: required[type] });
    }
  });

  it("[MQTT-2.2.2-2] a PINGREQ with a reserved flag bit set closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("bad-flags");
    client.sendBytes([0xc1, 0x00]);
    await client.expectClosed();
  });

  it("[MQTT-2.2.2-2] a PUBACK with a reserved flag bit set closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("bad-puback");
    client.sendBytes(frame(0x42, packetIdField(1)));
    await client.expectClosed();
  });
});

describe("4.8 Handling errors", () => {
  it("[MQTT-4.8.0-1] a protocol violation (a CONNACK from a client) closes only that connection", async () => {
    const { client: connected } = await start();
    const bystander = await connected("bystander");
    await subscribe(bystander, [["still/served", 0]]);
    const offender = await connected("offender");
    offender.sendBytes([0x20, 0x02, 0x00, 0x00]);
    await offender.expectClosed();
    const publisher = await connected("after-violation");
    await publish(publisher, "still/served", "yes", { qos: 0 });
    expect(text((await bystander.expectPacket("publish")).payload)).toBe("yes");
  });

  it("[MQTT-4.8.0-1] a Remaining Length with a fifth byte closes the connection", async () => {
    const { client: connected } = await start();
    const client = await connected("long-length");
    client.sendBytes([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    await client.expectClosed();
  });

  it("[MQTT-4.8.0-2] a packet over the server's size limit is a transient error: that connection closes, others go on", async () => {
    const { client: connected } = await start({ limits: { maxPacketSize: 1024 } });
    const bystander = await connected("size-bystander");
    await subscribe(bystander, [["size/t", 0]]);
    const big = await connected("size-offender");
    big.sendBytes(frame(0x30, [...stringField("size/t"), ...new Array<number>(2000).fill(0x61)]));
    await big.expectClosed();
    const publisher = await connected("size-pub");
    await publish(publisher, "size/t", "small", { qos: 0 });
    expect(text((await bystander.expectPacket("publish")).payload)).toBe("small");
  });
});
