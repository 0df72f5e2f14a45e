import { encode, type PublishPacket } from "@ternmq/codec";
import { duplexPair } from "@ternmq/testkit";
import { describe, expect, it } from "vitest";
import {
  bytes,
  publish,
  subscribe,
  text,
  useConformanceBroker,
} from "../helpers/conformance-broker.js";
import { RawClient } from "../helpers/raw-client.js";

// MQTT 3.1.1 network transports (4.2, 6) and conformance targets (7).

const { start } = useConformanceBroker();

describe("6 Using WebSocket as a network transport", () => {
  it("[MQTT-6.0.0-2] packets split across chunks, and several packets in one chunk, are all read", async () => {
    const { socket, client: connected } = await start();
    const subscriber = await connected("split-sub");
    await subscribe(subscriber, [["split/t", 0]]);
    const client = await socket();
    const stream = Uint8Array.from([
      ...encode(
        { type: "connect", protocolVersion: 4, clientId: "split", clean: true, keepalive: 60 },
        { protocolVersion: 4 },
      ),
      ...encode(
        {
          type: "publish",
          topic: "split/t",
          payload: bytes("one"),
          qos: 0,
          retain: false,
          dup: false,
        },
        { protocolVersion: 4 },
      ),
      ...encode({ type: "pingreq" }, { protocolVersion: 4 }),
    ]);
    for (const byte of stream.subarray(0, 20)) {
      client.sendBytes([byte]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    client.sendBytes(stream.subarray(20));
    expect((await client.expectPacket("connack")).reasonCode).toBe(0);
    await client.expectPacket("pingresp");
    expect(text((await subscriber.expectPacket("publish")).payload)).toBe("one");
  });
});

describe("7 Conformance", () => {
  it("[MQTT-7.0.0-2] a client using only MQTT 3.1.1 packets connects, subscribes, publishes and disconnects", async () => {
    const { session } = await start();
    const { client } = await session({ clientId: "plain" });
    expect(await subscribe(client, [["plain/t", 1]])).toEqual([1]);
    client.send({
      type: "publish",
      topic: "plain/t",
      payload: bytes("echo"),
      qos: 1,
      packetId: 1,
      retain: false,
      dup: false,
    });
    // The PUBACK and the echoed PUBLISH may come in either order.
    const answers = [await client.nextPacket(), await client.nextPacket()];
    expect(answers.map((packet) => packet.type).sort()).toEqual(["puback", "publish"]);
    const echoed = answers.find((packet): packet is PublishPacket => packet.type === "publish");
    expect(echoed === undefined ? undefined : text(echoed.payload)).toBe("echo");
    client.send({ type: "puback", packetId: echoed?.packetId ?? 0 });
    client.send({ type: "disconnect" });
    await client.expectClosed();
  });

  it("[MQTT-7.1.1-1] serves MQTT over any ordered lossless byte stream (TCP and an in-memory duplex)", async () => {
    const { broker, client: connected } = await start();
    const subscriber = await connected("tcp-sub");
    await subscribe(subscriber, [["stream/t", 0]]);
    const [serverSide, clientSide] = duplexPair();
    const client = RawClient.over(clientSide);
    try {
      broker.handleConnection(serverSide, { remoteAddress: "memory" });
      client.send({
        type: "connect",
        protocolVersion: 4,
        clientId: "in-memory",
        clean: true,
        keepalive: 60,
      });
      expect((await client.expectPacket("connack")).reasonCode).toBe(0);
      await publish(client, "stream/t", "over a duplex", { qos: 1 });
      expect(text((await subscriber.expectPacket("publish")).payload)).toBe("over a duplex");
    } finally {
      client.destroy();
    }
  });
});
