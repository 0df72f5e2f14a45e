import { describe, expect, it } from "vitest";
import {
  byteAtATime,
  concatBytes,
  duplexPair,
  everySplit,
  hex,
  splitAt,
  toHex,
} from "../src/index.js";

describe("hex fixtures", () => {
  it("parses digits and ignores comments and whitespace", () => {
    expect(
      toHex(hex`
      30 02 // header
      ab CD # payload
    `),
    ).toBe("30 02 ab cd");
  });
  it("rejects an odd digit count", () => {
    expect(() => hex("abc")).toThrow(/odd digit count/);
  });
});

describe("chunkings", () => {
  const bytes = hex`01 02 03 04`;
  it("every split reassembles to the original", () => {
    const all = [...everySplit(bytes)];
    expect(all).toHaveLength(1 + 3 + 1);
    for (const chunks of all) expect(toHex(concatBytes(chunks))).toBe("01 02 03 04");
  });
  it("byteAtATime gives single bytes", () => {
    expect(byteAtATime(bytes).map((chunk) => chunk.length)).toEqual([1, 1, 1, 1]);
  });
  it("splitAt ignores out-of-range and duplicate offsets", () => {
    expect(splitAt(bytes, [2, 2, 0, 9]).map(toHex)).toEqual(["01 02", "03 04"]);
  });
});

describe("duplexPair", () => {
  it("carries bytes both ways and propagates end", async () => {
    const [a, b] = duplexPair();
    const received: Buffer[] = [];
    b.on("data", (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => b.on("end", resolve));
    a.write(Buffer.from("he"));
    a.end(Buffer.from("llo"));
    await ended;
    expect(Buffer.concat(received).toString()).toBe("hello");
    const back = new Promise<Buffer>((resolve) => a.once("data", resolve));
    b.write(Buffer.from("ok"));
    expect((await back).toString()).toBe("ok");
  });
  it("destroying one side destroys the other", async () => {
    const [a, b] = duplexPair();
    const closed = new Promise<void>((resolve) => b.on("close", resolve));
    a.destroy();
    await closed;
    expect(b.destroyed).toBe(true);
  });
});
