import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  encodeHeader,
  FRAME_VERSION,
  FrameBuilder,
  type FramedMessage,
} from "../../src/cluster/message-frame.js";

function decodeAll(frame: Buffer): { count: number; messages: FramedMessage[] } {
  const messages: FramedMessage[] = [];
  const count = decodeFrame(frame, (decoded, into) => into.push(decoded), messages);
  return { count, messages };
}

function frameOf(messages: readonly FramedMessage[]): Buffer {
  const builder = new FrameBuilder();
  for (const entry of messages) builder.append(encodeHeader(entry), entry.payload);
  return builder.take();
}

const framedMessage = fc.record({
  topic: fc.string({ unit: "grapheme", maxLength: 40 }),
  payload: fc.uint8Array({ maxLength: 300 }),
  qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
  retain: fc.boolean(),
});

describe("message frame", () => {
  it("decodes what was framed, in order, whatever the topics and payloads", () => {
    fc.assert(
      fc.property(fc.array(framedMessage, { maxLength: 20 }), (messages) => {
        const { count, messages: decoded } = decodeAll(frameOf(messages));
        expect(count).toBe(messages.length);
        expect(
          decoded.map((entry) => ({ ...entry, payload: Uint8Array.from(entry.payload) })),
        ).toEqual(messages);
      }),
      { seed: 20261125, numRuns: 200 },
    );
  });

  it("shares one header between the frames of several nodes", () => {
    const entry = { topic: "a/ü", payload: Buffer.from("xyz"), qos: 1 as const, retain: true };
    const header = encodeHeader(entry);
    const first = new FrameBuilder();
    const second = new FrameBuilder();
    first.append(header, entry.payload);
    second.append(header, entry.payload);
    second.append(header, entry.payload);
    expect(decodeAll(first.take()).messages).toEqual([entry]);
    expect(decodeAll(second.take()).messages).toEqual([entry, entry]);
    // A builder starts over after take().
    expect(first.count).toBe(0);
    expect([...first.take()]).toEqual([FRAME_VERSION]);
  });

  it("rejects an unknown version, a truncated frame and QoS 3", () => {
    const frame = frameOf([{ topic: "t", payload: Buffer.from("abc"), qos: 0, retain: false }]);
    expect(decodeAll(Buffer.concat([Buffer.from([9]), frame.subarray(1)])).count).toBe(-1);
    expect(decodeAll(frame.subarray(0, frame.length - 1)).count).toBe(-1);
    expect(decodeAll(frame.subarray(0, 4)).count).toBe(-1);
    const badQos = Buffer.from(frame);
    badQos[1] = 3;
    expect(decodeAll(badQos).count).toBe(-1);
    expect(decodeAll(Buffer.alloc(0)).count).toBe(-1);
  });
});
