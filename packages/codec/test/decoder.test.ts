/**
 * Streaming behaviour of `Decoder`: chunking, size limits checked from the fixed header,
 * poisoning after the first error, and the role / protocol level rules.
 */
import { Decoder, encode, MqttError, type Packet } from "@ternmq/codec";
import { byteAtATime, concatBytes, hex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";

const CONNECT_V4 = hex`10 0d  00 04 4d 51 54 54  04  02  00 3c  00 01 63`;
const PUBLISH_V4 = hex`32 0a  00 03 61 2f 62  00 07  68 69 21`; // QoS 1 "a/b" id 7 "hi!"
const PINGREQ = hex`c0 00`;

function drain(decoder: Decoder): Packet[] {
  const packets: Packet[] = [];
  for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
    packets.push(packet);
  }
  return packets;
}

/** The MqttError `action` throws (fails the test if it throws nothing or something else). */
function caught(action: () => unknown): MqttError {
  try {
    action();
  } catch (error) {
    if (MqttError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an MqttError, nothing was thrown");
}

function serverAfterConnect(): Decoder {
  const decoder = new Decoder({ role: "server" });
  decoder.push(CONNECT_V4);
  expect(decoder.next()?.type).toBe("connect");
  return decoder;
}

describe("chunking", () => {
  test("bytes pushed one at a time yield each packet right after its last byte", () => {
    const stream = concatBytes([CONNECT_V4, PUBLISH_V4, PINGREQ]);
    const ends = [CONNECT_V4.length, CONNECT_V4.length + PUBLISH_V4.length, stream.length];
    const decoder = new Decoder({ role: "server" });
    const seen: [number, string][] = [];
    byteAtATime(stream).forEach((chunk, index) => {
      decoder.push(chunk);
      for (const packet of drain(decoder)) seen.push([index + 1, packet.type]);
    });
    expect(seen).toEqual([
      [ends[0], "connect"],
      [ends[1], "publish"],
      [ends[2], "pingreq"],
    ]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test("many packets in one chunk are all decoded, iteratively, as views of that chunk", () => {
    const count = 5000;
    const chunk = concatBytes(Array.from({ length: count }, () => PUBLISH_V4));
    const decoder = serverAfterConnect();
    decoder.push(chunk);
    const packets = drain(decoder);
    expect(packets).toHaveLength(count);
    const last = packets.at(-1);
    expect(last).toMatchObject({ type: "publish", topic: "a/b", qos: 1, packetId: 7 });
    if (last?.type !== "publish") throw new Error("not a publish");
    expect(Array.from(last.payload)).toEqual([0x68, 0x69, 0x21]);
    // No copy when the frame lies inside one chunk.
    expect(last.payload.buffer).toBe(chunk.buffer);
  });

  test("a frame that straddles chunks is copied once and decoded whole", () => {
    const decoder = serverAfterConnect();
    const first = PUBLISH_V4.subarray(0, 6);
    decoder.push(first);
    expect(decoder.next()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(6);
    decoder.push(PUBLISH_V4.subarray(6));
    const packet = decoder.next();
    expect(packet).toMatchObject({ type: "publish", topic: "a/b", packetId: 7 });
    expect(decoder.bufferedBytes).toBe(0);
  });

  test("hundreds of one-byte chunks queued before draining are all decoded", () => {
    const stream = concatBytes(Array.from({ length: 40 }, () => PUBLISH_V4));
    const decoder = serverAfterConnect();
    for (const chunk of byteAtATime(stream)) decoder.push(chunk);
    expect(decoder.bufferedBytes).toBe(stream.length);
    const packets = drain(decoder);
    expect(packets).toHaveLength(40);
    expect(packets.every((packet) => packet.type === "publish" && packet.packetId === 7)).toBe(
      true,
    );
    expect(decoder.bufferedBytes).toBe(0);
  });

  test("an empty chunk changes nothing", () => {
    const decoder = serverAfterConnect();
    decoder.push(new Uint8Array(0));
    expect(decoder.next()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(0);
  });

  test("a fixed header split after the type byte waits for the remaining length", () => {
    const decoder = serverAfterConnect();
    decoder.push(hex`30`);
    expect(decoder.next()).toBeUndefined();
    decoder.push(hex`81`);
    expect(decoder.next()).toBeUndefined();
    decoder.push(hex`01`); // remaining length 129
    expect(decoder.next()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(3);
  });
});

describe("size limits from the fixed header", () => {
  test("[MQTT-3.1.2-24] maxPacketSize is enforced before any of the body arrives", () => {
    const decoder = new Decoder({ role: "client", protocolVersion: 5, maxPacketSize: 1000 });
    decoder.push(hex`30 ff 07`); // PUBLISH announcing 1023 bytes; no body pushed
    const error = caught(() => decoder.next());
    expect(error.code).toBe("MQTT_ERR_PACKET_TOO_LARGE");
    expect(error.reasonCode).toBe(0x95);
  });

  test("a packet of exactly maxPacketSize bytes (fixed header included) is accepted", () => {
    const packet = encode(
      {
        type: "publish",
        topic: "t",
        payload: new Uint8Array(10),
        qos: 0,
        retain: false,
        dup: false,
      },
      { protocolVersion: 4 },
    );
    const exact = new Decoder({ role: "client", protocolVersion: 4, maxPacketSize: packet.length });
    exact.push(packet);
    expect(exact.next()?.type).toBe("publish");
    const smaller = new Decoder({
      role: "client",
      protocolVersion: 4,
      maxPacketSize: packet.length - 1,
    });
    smaller.push(packet.subarray(0, 2));
    expect(caught(() => smaller.next()).code).toBe("MQTT_ERR_PACKET_TOO_LARGE");
  });

  test("[MQTT-2.2.3] a remaining length with a fifth byte is refused from the header alone", () => {
    const decoder = new Decoder({ role: "client", protocolVersion: 4 });
    decoder.push(hex`30 ff ff ff ff`);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_MALFORMED_REMAINING_LENGTH");
  });

  test("the largest remaining length (268,435,455) is accepted while awaiting the body", () => {
    const decoder = new Decoder({ role: "client", protocolVersion: 4 });
    decoder.push(hex`30 ff ff ff 7f 00`);
    expect(decoder.next()).toBeUndefined();
  });
});

describe("poisoning", () => {
  test("after the first error every next() throws that same error, even when valid bytes follow", () => {
    const decoder = serverAfterConnect();
    decoder.push(hex`36 00`); // PUBLISH with QoS 3
    const first = caught(() => decoder.next());
    expect(first.code).toBe("MQTT_ERR_INVALID_QOS");
    decoder.push(PINGREQ);
    decoder.push(PUBLISH_V4);
    const second = caught(() => decoder.next());
    expect(second).toBe(first);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_INVALID_QOS");
  });

  test("packets before the error are returned; none after it", () => {
    const decoder = serverAfterConnect();
    decoder.push(concatBytes([PINGREQ, hex`c0 01 00`, PINGREQ])); // PINGREQ with a body
    expect(decoder.next()?.type).toBe("pingreq");
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_TRAILING_BYTES");
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_TRAILING_BYTES");
  });
});

describe("server role: protocol level from CONNECT", () => {
  test.each([
    [3, hex`10 0f  00 06 4d 51 49 73 64 70  03  02  00 3c  00 01 63`],
    [4, CONNECT_V4],
    [5, hex`10 0e  00 04 4d 51 54 54  05  02  00 3c  00  00 01 63`],
  ])("a CONNECT of level %i sets protocolVersion", (level, connect) => {
    const decoder = new Decoder({ role: "server" });
    expect(decoder.protocolVersion).toBeUndefined();
    decoder.push(connect);
    expect(decoder.next()).toMatchObject({ type: "connect", protocolVersion: level });
    expect(decoder.protocolVersion).toBe(level);
  });

  test("[MQTT-3.1.2-2] CONNECT level 6 gives CONNACK return code 1 / reason code 0x84", () => {
    const decoder = new Decoder({ role: "server" });
    decoder.push(hex`10 0d  00 04 4d 51 54 54  06  02  00 3c  00 01 63`);
    const error = caught(() => decoder.next());
    expect(error.code).toBe("MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION");
    expect(error.connackReturnCode).toBe(1);
    expect(error.reasonCode).toBe(0x84);
    expect(decoder.protocolVersion).toBeUndefined();
  });

  test("[MQTT-3.1.0-1] a first packet other than CONNECT is refused from its first byte", () => {
    const decoder = new Decoder({ role: "server" });
    decoder.push(hex`30`);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_CONNECT_EXPECTED");
  });

  test("[MQTT-3.1.0-2] a second CONNECT is refused", () => {
    const decoder = serverAfterConnect();
    decoder.push(CONNECT_V4);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_UNEXPECTED_PACKET_TYPE");
  });

  test("a level-5 connection accepts AUTH, a level-4 one refuses it as reserved", () => {
    const five = new Decoder({ role: "server" });
    five.push(hex`10 0e  00 04 4d 51 54 54  05  02  00 3c  00  00 01 63  f0 00`);
    expect(drain(five).map((packet) => packet.type)).toEqual(["connect", "auth"]);
    const four = serverAfterConnect();
    four.push(hex`f0 00`);
    expect(caught(() => four.next()).code).toBe("MQTT_ERR_RESERVED_PACKET_TYPE");
  });
});

describe("role checks", () => {
  test.each([
    ["CONNACK", hex`20 02 00 00`],
    ["SUBACK", hex`90 03 00 01 00`],
    ["UNSUBACK", hex`b0 02 00 01`],
    ["PINGRESP", hex`d0 00`],
  ])("a server-role decoder refuses %s", (_name, bytes) => {
    const decoder = serverAfterConnect();
    decoder.push(bytes);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_UNEXPECTED_PACKET_TYPE");
  });

  test.each([
    ["CONNECT", CONNECT_V4],
    ["SUBSCRIBE", hex`82 06 00 01 00 01 61 00`],
    ["UNSUBSCRIBE", hex`a2 05 00 01 00 01 61`],
    ["PINGREQ", PINGREQ],
  ])("a client-role decoder refuses %s", (_name, bytes) => {
    const decoder = new Decoder({ role: "client", protocolVersion: 4 });
    decoder.push(bytes);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_UNEXPECTED_PACKET_TYPE");
  });

  test("[MQTT-3.3.4-6] a client's PUBLISH may not carry a subscription identifier", () => {
    const publish = hex`30 0a  00 03 61 2f 62  02 0b 01  68 69`; // subscription identifier 1
    const fromServer = new Decoder({ role: "client", protocolVersion: 5 });
    fromServer.push(publish);
    expect(fromServer.next()).toMatchObject({ properties: { subscriptionIdentifiers: [1] } });
    const fromClient = new Decoder({ role: "server" });
    fromClient.push(hex`10 0e  00 04 4d 51 54 54  05  02  00 3c  00  00 01 63`);
    fromClient.push(publish);
    expect(fromClient.next()?.type).toBe("connect");
    expect(caught(() => fromClient.next()).code).toBe("MQTT_ERR_INVALID_PROPERTY");
  });

  test("packets both sides send pass either role", () => {
    const both = concatBytes([PUBLISH_V4, hex`40 02 00 07`, hex`e0 00`]);
    const client = new Decoder({ role: "client", protocolVersion: 4 });
    client.push(both);
    expect(drain(client).map((packet) => packet.type)).toEqual(["publish", "puback", "disconnect"]);
    const server = serverAfterConnect();
    server.push(both);
    expect(drain(server).map((packet) => packet.type)).toEqual(["publish", "puback", "disconnect"]);
  });
});

describe("single-packet protocol errors", () => {
  test("5.0 section 3.1.2.11.10: authentication data without a method is refused", () => {
    const decoder = new Decoder({ role: "server" });
    // CONNECT level 5, properties: authentication data 01 02, no authentication method
    decoder.push(hex`10 14  00 04 4d 51 54 54  05  02  00 3c  05 16 00 02 01 02  00 02 63 31`);
    expect(caught(() => decoder.next()).code).toBe("MQTT_ERR_INVALID_PROPERTY_VALUE");
  });
});

describe("options", () => {
  test("a client-role decoder needs a protocol level", () => {
    expect(() => new Decoder({ role: "client" })).toThrow(TypeError);
  });

  test("an unknown role and a maxPacketSize below 2 are refused", () => {
    expect(() => new Decoder({ role: "broker" as "server" })).toThrow(TypeError);
    expect(() => new Decoder({ role: "server", maxPacketSize: 1 })).toThrow(TypeError);
  });
});
