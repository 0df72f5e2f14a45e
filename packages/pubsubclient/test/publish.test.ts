import { hex, ScriptedTransport } from "@ternmq/testkit";
import { describe, expect, it } from "vitest";
import { MQTT_CONNECTION_LOST, PubSubClient } from "../src/index.js";
import { connectedClient, text, useManualClock } from "./harness.js";

useManualClock();

describe("publish", () => {
  it("publish(topic, string) sends a QoS 0 PUBLISH", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 07 00 03 61 2f 62 68 69`);
    expect(client.publish("a/b", "hi")).toBe(true);
    transport.assertDone();
  });

  it("publish(topic, string, true) sets RETAIN", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`31 07 00 03 61 2f 62 68 69`);
    expect(client.publish("a/b", "hi", true)).toBe(true);
    transport.assertDone();
  });

  it("publish(topic, bytes, length[, retained]) sends the first length bytes", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 05 00 01 74 01 02`).expect(hex`31 04 00 01 74 01`);
    expect(client.publish("t", Uint8Array.of(1, 2, 3), 2)).toBe(true);
    expect(client.publish("t", Uint8Array.of(1, 2, 3), 1, true)).toBe(true);
    transport.assertDone();
  });

  it("publish(topic, bytes) sends all of them; an empty payload is allowed", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 06 00 01 74 00 ff 80`).expect(hex`30 03 00 01 74`);
    expect(client.publish("t", Uint8Array.of(0, 255, 128))).toBe(true);
    expect(client.publish("t", "")).toBe(true);
    transport.assertDone();
  });

  it("publish_P is publish with the payload streamed after the head", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`31 07 00 03 61 2f 62 68 69`);
    expect(client.publish_P("a/b", "hi", true)).toBe(true);
    transport.assertDone();
  });

  it("publish_P sends payloads larger than the buffer (2.8 streams them)", async () => {
    const { client, transport } = await connectedClient((c) => c.setBufferSize(32));
    const payload = new Uint8Array(100).fill(0x41);
    transport.expect(hex`30 67 00 01 74`).expect(payload);
    expect(client.publish_P("t", payload, payload.length, false)).toBe(true);
    transport.assertDone();
  });

  it("returns false with PUBSUB_ERR_NOT_CONNECTED when not connected", () => {
    const client = new PubSubClient("h", 1, new ScriptedTransport());
    expect(client.publish("t", "x")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_NOT_CONNECTED");
  });

  it("refuses a length past the end of the payload", async () => {
    const { client, transport } = await connectedClient();
    expect(client.publish("t", Uint8Array.of(1), 2)).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_INVALID_ARGUMENT");
    expect(transport.writes).toHaveLength(1);
  });

  it("returns false with PUBSUB_ERR_WRITE_FAILED when the Client takes fewer bytes", async () => {
    const { client, transport } = await connectedClient();
    transport.writeLimit = 3;
    transport.expect(hex`30 07 00`);
    expect(client.publish("a/b", "hi")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_WRITE_FAILED");
  });

  it("publishing inside the callback does not change the payload being read", async () => {
    const seen: string[] = [];
    const { client, transport } = await connectedClient(undefined, (topic, payload) => {
      const before = new TextDecoder().decode(payload);
      client.publish("echo/long/topic/name", new Uint8Array(200).fill(0x5a));
      client.publish(topic, "overwritten?");
      seen.push(before, new TextDecoder().decode(payload));
    });
    transport.inject(hex`30 0c 00 05 69 6e 2f 61 62 68 65 6c 6c 6f`);
    transport.expect(new Uint8Array([0x30, 0xde, 0x01])).expect(hex`00 14`);
    transport.expect(text("echo/long/topic/name")).expect(new Uint8Array(200).fill(0x5a));
    transport.expect(hex`30 13 00 05`).expect(text("in/aboverwritten?"));
    expect(client.loop()).toBe(true);
    transport.assertDone();
    expect(seen).toEqual(["hello", "hello"]);
  });
});

describe("the buffer size limits packet size as in 2.8", () => {
  // 2.8 needs bufferSize >= 5 (header reserve) + 2 + topic + payload.
  it("accepts a PUBLISH that exactly fits the default 256-byte buffer", async () => {
    const { client, transport } = await connectedClient();
    const payload = new Uint8Array(248).fill(1);
    transport.expect(hex`30 fb 01 00 01 74`).expect(payload);
    expect(client.publish("t", payload)).toBe(true);
    transport.assertDone();
  });

  it("refuses one byte more with PUBSUB_ERR_PACKET_TOO_LARGE, writing nothing", async () => {
    const { client, transport } = await connectedClient();
    expect(client.publish("t", new Uint8Array(249))).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
    expect(transport.writes).toHaveLength(1);
    expect(client.connected()).toBe(true);
  });

  it("setBufferSize(0) returns false and keeps the size", () => {
    const client = new PubSubClient();
    expect(client.getBufferSize()).toBe(256);
    expect(client.setBufferSize(0)).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_INVALID_BUFFER_SIZE");
    expect(client.setBufferSize(65_536)).toBe(false);
    expect(client.getBufferSize()).toBe(256);
  });

  it("a larger buffer lets the larger PUBLISH through", async () => {
    const { client, transport } = await connectedClient((c) => {
      expect(c.setBufferSize(1024)).toBe(true);
    });
    expect(client.getBufferSize()).toBe(1024);
    const payload = new Uint8Array(1016).fill(2);
    transport.expect(hex`30 fb 07 00 01 74`).expect(payload);
    expect(client.publish("t", payload)).toBe(true);
    expect(client.publish("t", new Uint8Array(1017))).toBe(false);
  });
});

describe("beginPublish / write / endPublish", () => {
  it("streams a payload larger than the buffer", async () => {
    const { client, transport } = await connectedClient();
    const first = new Uint8Array(200).fill(7);
    transport.expect(hex`30 ce 01 00 01 74`).expect(first).expect(hex`08`).expect(hex`09 09`);
    expect(client.beginPublish("t", 203, false)).toBe(true);
    expect(client.write(first)).toBe(200);
    expect(client.write(8)).toBe(1);
    expect(client.write(Uint8Array.of(9, 9, 9), 2)).toBe(2);
    expect(client.endPublish()).toBe(1);
    transport.assertDone();
  });

  it("sets RETAIN when asked", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`31 04 00 01 74 2a`);
    expect(client.beginPublish("t", 1, true)).toBe(true);
    expect(client.write(0x2a)).toBe(1);
    expect(client.endPublish()).toBe(1);
    transport.assertDone();
  });

  it("refuses to write past the announced length", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 04 00 01 74`).expect(hex`01`);
    client.beginPublish("t", 1, false);
    expect(client.write(Uint8Array.of(1, 2))).toBe(0);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PUBLISH_LENGTH_MISMATCH");
    expect(client.write(1)).toBe(1);
    expect(client.endPublish()).toBe(1);
    transport.assertDone();
  });

  it("endPublish() with bytes missing returns 0 and closes the connection (-3)", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 05 00 01 74`);
    client.beginPublish("t", 2, false);
    expect(client.endPublish()).toBe(0);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PUBLISH_LENGTH_MISMATCH");
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
    expect(transport.stopCalls).toBe(1);
  });

  it("write() and endPublish() without beginPublish() fail", async () => {
    const { client } = await connectedClient();
    expect(client.write(1)).toBe(0);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_NO_PUBLISH_IN_PROGRESS");
    expect(client.endPublish()).toBe(0);
  });

  it("publish and subscribe wait until endPublish(); loop() writes nothing meanwhile", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 04 00 01 74`).expect(hex`01`);
    client.beginPublish("t", 1, false);
    expect(client.publish("t", "x")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PUBLISH_IN_PROGRESS");
    expect(client.subscribe("t")).toBe(false);
    expect(client.loop()).toBe(true);
    client.write(1);
    expect(client.endPublish()).toBe(1);
    transport.assertDone();
  });

  it("beginPublish fails when the topic does not fit the buffer", async () => {
    const { client } = await connectedClient();
    client.setBufferSize(10);
    expect(client.beginPublish("abcd", 1, false)).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
  });
});

describe("subscribe / unsubscribe", () => {
  it("subscribe(topic) sends SUBSCRIBE at QoS 0, subscribe(topic, 1) at QoS 1", async () => {
    const { client, transport } = await connectedClient();
    transport
      .expect(hex`82 08 00 01 00 03 61 2f 62 00`, "SUBSCRIBE id 1 QoS 0")
      .expect(hex`82 08 00 02 00 03 61 2f 23 01`, "SUBSCRIBE id 2 QoS 1");
    expect(client.subscribe("a/b")).toBe(true);
    expect(client.subscribe("a/#", 1)).toBe(true);
    transport.assertDone();
  });

  it("returns false for QoS 2 and writes nothing", async () => {
    const { client, transport } = await connectedClient();
    expect(client.subscribe("a/b", 2)).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_INVALID_QOS");
    expect(transport.writes).toHaveLength(1);
  });

  it("applies 2.8's size check (9 + topic bytes)", async () => {
    const { client, transport } = await connectedClient();
    client.setBufferSize(12);
    transport.expect(hex`82 08 00 01 00 03 61 62 63 00`);
    expect(client.subscribe("abc")).toBe(true);
    expect(client.subscribe("abcd")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
    expect(client.unsubscribe("abcd")).toBe(false);
  });

  it("refuses an empty topic filter [MQTT-4.7.3-1]", async () => {
    const { client } = await connectedClient();
    expect(client.subscribe("")).toBe(false);
    expect(client.unsubscribe("")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_INVALID_ARGUMENT");
  });

  it("unsubscribe(topic) sends UNSUBSCRIBE; the UNSUBACK is read by loop()", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`a2 07 00 01 00 03 61 2f 62`).respond(hex`b0 02 00 01`);
    expect(client.unsubscribe("a/b")).toBe(true);
    expect(client.loop()).toBe(true);
    transport.assertDone();
  });

  it("the SUBACK is read by loop()", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`82 06 00 01 00 01 74 01`).respond(hex`90 03 00 01 01`);
    expect(client.subscribe("t", 1)).toBe(true);
    expect(client.loop()).toBe(true);
    expect(client.connected()).toBe(true);
  });

  it("return false when not connected", () => {
    const client = new PubSubClient("h", 1, new ScriptedTransport());
    expect(client.subscribe("t")).toBe(false);
    expect(client.unsubscribe("t")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_NOT_CONNECTED");
  });
});

describe("strings are UTF-8", () => {
  it("counts topic bytes, not characters", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(hex`30 06 00 02 c3 a9 78 79`);
    expect(client.publish("é", text("xy"))).toBe(true);
  });
});
