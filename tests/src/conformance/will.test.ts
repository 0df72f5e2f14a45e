import type { Will } from "@ternmq/codec";
import { describe, expect, it } from "vitest";
import { bytes, subscribe, text, useConformanceBroker } from "../helpers/conformance-broker.js";
import { lengthPrefixed, rawConnect, stringField } from "../helpers/mqtt-bytes.js";

// MQTT 3.1.1 will messages (3.1.2.5 - 3.1.2.7) and DISCONNECT (3.14).

const { start } = useConformanceBroker();

const will = (topic: string, options: Partial<Will> = {}): Will => ({
  topic,
  payload: bytes("last words"),
  qos: 0,
  retain: false,
  ...options,
});

describe("3.1.2.5 Will Flag", () => {
  it("[MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/8", 0]]);
    const { client } = await session({ clientId: "will-8", will: will("will/8") });
    client.destroy();
    const message = await watcher.expectPacket("publish");
    expect(message.topic).toBe("will/8");
    expect(text(message.payload)).toBe("last words");
  });

  it("[MQTT-3.1.2-8] the will is published when the server closes the connection for a protocol error", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/8e", 0]]);
    const { client } = await session({ clientId: "will-8e", will: will("will/8e") });
    client.sendBytes([0x36, 0x04, 0x00, 0x01, 0x61, 0x00]); // PUBLISH with QoS 3
    await client.expectClosed();
    expect((await watcher.expectPacket("publish")).topic).toBe("will/8e");
  });

  it("[MQTT-3.1.2-9] the Will Flag without a will topic and message closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x06, payload: stringField("no-will-fields") }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-10] a published will is removed: it is not published a second time", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/10", 0]]);
    const first = await session({ clientId: "will-10", clean: false, will: will("will/10") });
    first.client.destroy();
    await watcher.expectPacket("publish");
    const second = await session({ clientId: "will-10", clean: false });
    second.client.destroy();
    await second.client.expectClosed();
    await watcher.expectNothing(300);
  });

  it("[MQTT-3.1.2-11] Will QoS and Will Retain set without the Will Flag close the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x2a }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-12] without the Will Flag nothing is published when the connection ends", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["#", 0]]);
    const { client } = await session({ clientId: "will-12" });
    client.destroy();
    await client.expectClosed();
    await watcher.expectNothing(300);
  });

  it("[MQTT-3.1.2-13] a Will QoS without the Will Flag closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x12 }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-14] Will QoS 3 closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(
      rawConnect({
        flags: 0x1e,
        payload: [...stringField("will-14"), ...stringField("will/14"), ...lengthPrefixed([1])],
      }),
    );
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-15] Will Retain without the Will Flag closes the connection", async () => {
    const { socket } = await start();
    const client = await socket();
    client.sendBytes(rawConnect({ flags: 0x22 }));
    await client.expectClosed();
  });

  it("[MQTT-3.1.2-16] Will Retain 0: the will is published as a non-retained message", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/16", 1]]);
    const { client } = await session({ clientId: "will-16", will: will("will/16", { qos: 1 }) });
    client.destroy();
    const message = await watcher.expectPacket("publish");
    expect(message.retain).toBe(false);
    expect(message.qos).toBe(1);
    const late = await connected("late-16");
    await subscribe(late, [["will/16", 1]]);
    await late.expectNothing(200);
  });

  it("[MQTT-3.1.2-17] Will Retain 1: the will is published as a retained message", async () => {
    const { session, client: connected } = await start();
    const { client } = await session({
      clientId: "will-17",
      will: will("will/17", { qos: 1, retain: true }),
    });
    client.destroy();
    await client.expectClosed();
    const late = await connected("late-17");
    await subscribe(late, [["will/17", 1]]);
    const message = await late.expectPacket("publish", 1000);
    expect(message.retain).toBe(true);
    expect(message.qos).toBe(1);
    expect(text(message.payload)).toBe("last words");
  });
});

describe("3.14 DISCONNECT", () => {
  it("[MQTT-3.14.1-1] a DISCONNECT with reserved bits set closes the connection and the will is published", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/disc", 0]]);
    const { client } = await session({ clientId: "bad-disconnect", will: will("will/disc") });
    client.sendBytes([0xe1, 0x00]);
    await client.expectClosed();
    expect((await watcher.expectPacket("publish")).topic).toBe("will/disc");
  });

  it("[MQTT-3.14.4-3] DISCONNECT discards the will without publishing it", async () => {
    const { session, client: connected } = await start();
    const watcher = await connected("will-watcher");
    await subscribe(watcher, [["will/clean", 0]]);
    const { client } = await session({ clientId: "good-disconnect", will: will("will/clean") });
    client.send({ type: "disconnect" });
    await client.expectClosed();
    await watcher.expectNothing(300);
  });
});
