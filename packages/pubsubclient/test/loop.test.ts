import { byteAtATime, hex, ScriptedTransport } from "@ternmq/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MQTT_CONNECTED,
  MQTT_CONNECTION_LOST,
  MQTT_CONNECTION_TIMEOUT,
  PubSubClient,
  type Stream,
} from "../src/index.js";
import {
  CONNACK_ACCEPTED,
  connectedClient,
  DISCONNECT,
  PINGREQ,
  PINGRESP,
  useManualClock,
} from "./harness.js";

const clock = useManualClock();

const PUBLISH_T_HELLO = hex`30 08 00 01 74 68 65 6c 6c 6f`; // QoS 0, "t", "hello"

describe("loop() and received messages", () => {
  it("calls the callback with topic, payload and length for a QoS 0 PUBLISH", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.inject(PUBLISH_T_HELLO);
    expect(client.loop()).toBe(true);
    expect(messages).toEqual([{ topic: "t", payload: "hello", length: 5 }]);
    transport.assertDone();
  });

  it("handles several packets in one read and a packet split over many reads", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.inject(PUBLISH_T_HELLO);
    transport.inject(hex`30 04 00 01 74 21`);
    client.loop();
    expect(messages.map((message) => message.payload)).toEqual(["hello", "!"]);
    const chunks = byteAtATime(PUBLISH_T_HELLO);
    for (const chunk of chunks) {
      expect(messages).toHaveLength(2);
      transport.inject(chunk);
      expect(client.loop()).toBe(true);
    }
    expect(messages).toHaveLength(3);
  });

  it("the payload handed to the callback is a copy the callback may keep", async () => {
    const kept: Uint8Array[] = [];
    const { client, transport } = await connectedClient(undefined, (_topic, payload) => {
      kept.push(payload);
    });
    transport.inject(PUBLISH_T_HELLO);
    transport.inject(hex`30 08 00 01 74 77 6f 72 6c 64`);
    client.loop();
    expect(kept.map((payload) => new TextDecoder().decode(payload))).toEqual(["hello", "world"]);
  });

  it("[MQTT-4.3.2-2] QoS 1: PUBACK is written after the callback returned", async () => {
    const writesDuringCallback: number[] = [];
    const { client, transport } = await connectedClient(undefined, () => {
      writesDuringCallback.push(transport.writes.length);
    });
    transport.expect(hex`40 02 00 07`, "PUBACK 7");
    transport.inject(hex`32 06 00 01 74 00 07 78`);
    expect(client.loop()).toBe(true);
    expect(writesDuringCallback).toEqual([1]);
    transport.assertDone();
  });

  it("[MQTT-4.3.3-2] QoS 2: delivered exactly once, PUBREC / PUBCOMP per spec", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.expect(hex`50 02 00 05`, "PUBREC");
    transport.inject(hex`34 06 00 01 74 00 05 78`);
    client.loop();
    transport.expect(hex`50 02 00 05`, "PUBREC again for the duplicate");
    transport.inject(hex`3c 06 00 01 74 00 05 78`);
    client.loop();
    transport.expect(hex`70 02 00 05`, "PUBCOMP");
    transport.inject(hex`62 02 00 05`);
    client.loop();
    expect(messages).toEqual([{ topic: "t", payload: "x", length: 1 }]);
    transport.assertDone();
  });

  it("a callback that disconnects stops the processing of the rest", async () => {
    const { client, transport, messages } = await connectedClient(undefined, (topic) => {
      messages.push({ topic, payload: "", length: 0 });
      client.disconnect();
    });
    transport.expect(DISCONNECT);
    transport.inject(hex`32 06 00 01 74 00 07 78 32 06 00 01 74 00 08 79`);
    expect(client.loop()).toBe(false);
    expect(messages).toHaveLength(1);
    transport.assertDone();
  });

  it("without a callback, messages are still acknowledged", async () => {
    const { client, transport } = await connectedClient();
    client.setCallback(undefined);
    transport.expect(hex`40 02 00 07`);
    transport.inject(hex`32 06 00 01 74 00 07 78`);
    expect(client.loop()).toBe(true);
    transport.assertDone();
  });

  it("loop() returns false with PUBSUB_ERR_NOT_CONNECTED before connect", () => {
    const client = new PubSubClient("h", 1, new ScriptedTransport());
    expect(client.loop()).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_NOT_CONNECTED");
  });
});

describe("received packets and the buffer size (2.8)", () => {
  // A 256-byte packet: 3 header bytes, 2 + 1 topic bytes, 250 payload bytes.
  const publishOf = (payloadLength: number): Uint8Array => {
    const remaining = 3 + payloadLength;
    const head = Uint8Array.of(0x30, (remaining & 0x7f) | 0x80, remaining >> 7, 0x00, 0x01, 0x74);
    const packet = new Uint8Array(head.length + payloadLength).fill(0x61);
    packet.set(head);
    return packet;
  };

  it("delivers a PUBLISH that exactly fits the buffer", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.inject(publishOf(250));
    client.loop();
    expect(messages.map((message) => message.length)).toEqual([250]);
  });

  it("drops a PUBLISH one byte larger than the buffer, staying connected", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.inject(publishOf(251));
    expect(client.loop()).toBe(true);
    expect(messages).toHaveLength(0);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_RECEIVED_PACKET_TOO_LARGE");
    transport.inject(PUBLISH_T_HELLO);
    client.loop();
    expect(messages).toHaveLength(1);
  });

  it("still acknowledges a dropped QoS 1 PUBLISH, so the broker does not resend it", async () => {
    const { client, transport, messages } = await connectedClient();
    const packet = publishOf(260);
    packet[0] = 0x32; // QoS 1: the first two payload bytes become packet id 0x6161
    transport.expect(hex`40 02 61 61`);
    transport.inject(packet);
    expect(client.loop()).toBe(true);
    expect(messages).toHaveLength(0);
    transport.assertDone();
  });

  it("setStream: the whole payload goes to the stream, the callback gets what fits", async () => {
    const streamed: number[] = [];
    const stream: Stream = {
      write: (bytes) => {
        streamed.push(...bytes);
        return bytes.length;
      },
    };
    const { client, transport, messages } = await connectedClient((c) => c.setStream(stream));
    transport.inject(publishOf(300));
    transport.inject(PUBLISH_T_HELLO);
    client.loop();
    expect(streamed).toHaveLength(305);
    expect(messages.map((message) => message.length)).toEqual([250, 5]);
  });
});

describe("keepalive", () => {
  it("[MQTT-3.1.2-23] sends PINGREQ once the keepalive passed without sending", async () => {
    const start = clock.time;
    const { client, transport } = await connectedClient();
    clock.time = start + 14_999;
    expect(client.loop()).toBe(true);
    transport.assertDone();
    transport.expect(PINGREQ).respond(PINGRESP);
    clock.time = start + 15_000;
    expect(client.loop()).toBe(true);
    transport.assertDone();
    clock.time = start + 29_999;
    client.loop();
    transport.expect(PINGREQ);
    clock.time = start + 30_000;
    expect(client.loop()).toBe(true);
    transport.assertDone();
    expect(client.state()).toBe(MQTT_CONNECTED);
  });

  it("an unanswered PINGREQ sets MQTT_CONNECTION_TIMEOUT one keepalive later", async () => {
    const start = clock.time;
    const { client, transport } = await connectedClient();
    transport.expect(PINGREQ);
    clock.time = start + 15_000;
    client.loop();
    clock.time = start + 29_999;
    expect(client.loop()).toBe(true);
    clock.time = start + 30_000;
    expect(client.loop()).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_TIMEOUT);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PING_TIMEOUT");
    expect(transport.stopCalls).toBe(1);
    transport.assertDone();
  });

  it("sending a PUBLISH moves the next PINGREQ", async () => {
    const start = clock.time;
    const { client, transport } = await connectedClient();
    clock.time = start + 10_000;
    transport.expect(hex`30 04 00 01 74 78`);
    client.publish("t", "x");
    clock.time = start + 24_999;
    client.loop();
    transport.assertDone();
    transport.expect(PINGREQ);
    clock.time = start + 25_000;
    client.loop();
    transport.assertDone();
  });

  it("keepalive 0 sends keepalive 0 in CONNECT and never a PINGREQ", async () => {
    const transport = new ScriptedTransport();
    const client = new PubSubClient("h", 1, transport).setKeepAlive(0);
    transport
      .expect(hex`10 0e 00 04 4d 51 54 54 04 02 00 00 00 02 63 31`)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1")).toBe(true);
    for (const elapsed of [1, 15_000, 3_600_000, 86_400_000]) {
      clock.advance(elapsed);
      expect(client.loop()).toBe(true);
    }
    transport.assertDone();
  });
});

describe("lost connections and bad input", () => {
  it("a closed Client sets MQTT_CONNECTION_LOST (-3)", async () => {
    const { client, transport } = await connectedClient();
    transport.peerClose();
    expect(client.loop()).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_CONNECTION_LOST");
    expect(transport.stopCalls).toBe(1);
    expect(client.publish("t", "x")).toBe(false);
  });

  it("reads what arrived before the peer closed, then reports the loss", async () => {
    const { client, transport, messages } = await connectedClient();
    transport.inject(PUBLISH_T_HELLO);
    transport.peerClose();
    expect(client.loop()).toBe(false);
    expect(messages).toHaveLength(1);
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
  });

  it("[MQTT-2.2.1] garbage drops the connection (-3) without throwing", async () => {
    const { client, transport } = await connectedClient();
    transport.inject(hex`00 00 00 00`);
    expect(client.loop()).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
    const error = client.lastError();
    expect(error?.code).toBe("PUBSUB_ERR_PROTOCOL_ERROR");
    expect(error?.causeCode).toBe("MQTT_ERR_RESERVED_PACKET_TYPE");
    expect(transport.stopCalls).toBe(1);
  });

  it("a PINGREQ from the server is a protocol error (servers never send one)", async () => {
    const { client, transport } = await connectedClient();
    transport.inject(PINGREQ);
    expect(client.loop()).toBe(false);
    expect(client.lastError()?.causeCode).toBe("MQTT_ERR_UNEXPECTED_PACKET_TYPE");
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
  });

  it("[MQTT-2.2.3] a fifth Remaining Length byte drops the connection", async () => {
    const { client, transport } = await connectedClient();
    transport.inject(hex`30 ff ff ff ff 01`);
    expect(client.loop()).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_LOST);
  });

  it("[MQTT-2.3.1-7] a SUBACK for a packet id never used is a protocol error", async () => {
    const { client, transport } = await connectedClient();
    transport.inject(hex`90 03 00 09 00`);
    expect(client.loop()).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PROTOCOL_ERROR");
  });

  it("random bytes never make loop() throw; it ends connected or with state -3", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 48 }), async (bytes) => {
        const { client, transport } = await connectedClient(undefined, undefined, {
          strict: false,
        });
        transport.inject(bytes);
        const result = client.loop();
        expect([MQTT_CONNECTED, MQTT_CONNECTION_LOST]).toContain(client.state());
        expect(result).toBe(client.state() === MQTT_CONNECTED);
      }),
      { seed: 20_261_125, numRuns: 300 },
    );
  });
});
