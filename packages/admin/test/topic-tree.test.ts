import { describe, expect, it } from "vitest";
import { TopicTree } from "../src/index.js";
import { PAYLOAD_PREVIEW_BYTES, previewPayload } from "../src/payload.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("TopicTree", () => {
  it("keeps the last message per topic and counts the messages", () => {
    let now = 1000;
    const tree = new TopicTree(10, () => now);
    tree.record("a/b", bytes("1"), 0, false);
    now = 2000;
    tree.record("a/b", bytes("2"), 1, true);
    expect(tree.get("a/b")).toMatchObject({ messages: 2, qos: 1, retain: true, updatedAt: 2000 });
    expect(new TextDecoder().decode(tree.get("a/b")?.payload)).toBe("2");
  });

  it("evicts the least recently published topic when full", () => {
    const tree = new TopicTree(3);
    for (const topic of ["a", "b", "c", "a", "d"]) tree.record(topic, bytes(topic), 0, false);
    expect(tree.list().map((entry) => entry.topic)).toEqual(["a", "c", "d"]);
    expect(tree.size).toBe(3);
  });

  it("keeps only the first bytes of a large payload, as a copy", () => {
    const tree = new TopicTree();
    const large = new Uint8Array(PAYLOAD_PREVIEW_BYTES * 4).fill(65);
    tree.record("big", large, 0, false);
    const entry = tree.get("big");
    expect(entry?.bytes).toBe(large.length);
    expect(entry?.payload.length).toBe(PAYLOAD_PREVIEW_BYTES);
    expect(entry?.payload.buffer).not.toBe(large.buffer);
  });
});

describe("previewPayload", () => {
  it("shows UTF-8 text as text and binary as base64", () => {
    expect(previewPayload(bytes("héllo"))).toEqual({
      payload: "héllo",
      encoding: "utf8",
      bytes: 6,
      truncated: false,
    });
    expect(previewPayload(new Uint8Array([0xff, 0xfe]))).toMatchObject({
      payload: "//4=",
      encoding: "base64",
    });
  });

  it("marks a cut payload as truncated and keeps it text when the cut splits a character", () => {
    const text = `${"a".repeat(PAYLOAD_PREVIEW_BYTES - 1)}é`; // é's 2nd byte falls past the cut
    const preview = previewPayload(bytes(text));
    expect(preview).toMatchObject({
      encoding: "utf8",
      truncated: true,
      bytes: PAYLOAD_PREVIEW_BYTES + 1,
    });
    expect(preview.payload).toBe("a".repeat(PAYLOAD_PREVIEW_BYTES - 1));
  });
});
