import { afterEach, describe, expect, it } from "vitest";
import { RETAINED_PAGE_SIZE } from "../src/sqlite-retained-store.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
afterEach(() => temp.cleanUp());

describe("retained match over many messages", () => {
  it("yields to the event loop between pages and returns each match once, in a key range", async () => {
    const store = temp.open({ durability: "relaxed" });
    const total = RETAINED_PAGE_SIZE * 2 + 500;
    const payload = Uint8Array.of(1);
    for (let index = 0; index < total; index++) {
      void store.retained.set({
        topic: `${index % 2 === 0 ? "even" : "odd"}/${index}`,
        payload,
        qos: 0,
        retain: true,
        receivedAt: index,
      });
    }
    expect(await store.retained.count()).toBe(total);

    let otherWorkRanAt: number | undefined;
    const seen: string[] = [];
    setImmediate(() => {
      otherWorkRanAt = seen.length;
    });
    for await (const message of store.retained.match("#")) seen.push(message.topic);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    // Other work of the event loop ran before the second page was read.
    expect(otherWorkRanAt !== undefined && otherWorkRanAt <= RETAINED_PAGE_SIZE).toBe(true);

    const even: string[] = [];
    for await (const message of store.retained.match("even/+")) even.push(message.topic);
    expect(even.length).toBe(Math.ceil(total / 2));
    expect(even.every((topic) => topic.startsWith("even/"))).toBe(true);
  });
});
