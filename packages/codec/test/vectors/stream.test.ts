// Streaming behaviour around the vectors: several packets in one chunk, a packet exactly at
// maxPacketSize, and the level a server-role decoder learns from CONNECT.
import { Decoder } from "@ternmq/codec";
import { concatBytes, hex } from "@ternmq/testkit";
import { describe, expect, test } from "vitest";
import { drain, normalise, readyDecoder, utf8 } from "./check-vector.js";

describe("Decoder stream", () => {
  const publish = hex`30 07  00 03 61 2f 62  68 69  // PUBLISH QoS 0, "a/b", "hi"`;
  const puback = hex`40 02  00 01  // PUBACK, id 1`;
  const pingreq = hex`c0 00  // PINGREQ`;

  test("a chunk holding three packets and the start of a fourth yields three", () => {
    const decoder = readyDecoder(4, "client");
    decoder.push(concatBytes([publish, puback, pingreq, publish.subarray(0, 4)]));
    expect(drain(decoder).map((packet) => packet.type)).toEqual(["publish", "puback", "pingreq"]);
    expect(decoder.bufferedBytes).toBe(4);
    decoder.push(publish.subarray(4));
    expect(normalise(drain(decoder))).toStrictEqual([
      { type: "publish", topic: "a/b", payload: utf8("hi"), qos: 0, retain: false, dup: false },
    ]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test("a packet of exactly maxPacketSize bytes is accepted", () => {
    const decoder = new Decoder({ role: "client", protocolVersion: 4, maxPacketSize: 9 });
    decoder.push(publish);
    expect(decoder.next()?.type).toBe("publish");
  });

  test("a server-role decoder takes its level from CONNECT", () => {
    const decoder = new Decoder({ role: "server" });
    expect(decoder.protocolVersion).toBeUndefined();
    decoder.push(hex`10 0e  00 04 4d 51 54 54  05 02 00 3c 00  00 01 63  // CONNECT level 5, "c"`);
    expect(decoder.next()?.type).toBe("connect");
    expect(decoder.protocolVersion).toBe(5);
    // at level 5 a PUBLISH carries a property length
    decoder.push(hex`30 08  00 03 61 2f 62  00  68 69  // PUBLISH, no properties, "hi"`);
    expect(normalise(decoder.next())).toStrictEqual({
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 0,
      retain: false,
      dup: false,
      properties: {},
    });
  });

  test("a decoded payload is not overwritten by the packets decoded after it", () => {
    // The decoder may keep views into pushed chunks, but never into a buffer of its own that
    // it reuses: the second packet (split across chunks) must not land on the first payload.
    const decoder = readyDecoder(4, "client");
    decoder.push(publish.slice());
    const first = decoder.next();
    decoder.push(hex`30 07 00 03 61 2f 62`);
    decoder.push(hex`78 79  // payload "xy"`);
    decoder.next();
    expect(normalise(first)).toMatchObject({ payload: utf8("hi") });
  });
});
