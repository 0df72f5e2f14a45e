import { MemoryRetainedStore } from "@ternmq/session";
import { describeRetainedStoreConformance } from "@ternmq/session/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeRetainedStore } from "../src/node-retained-store.js";

describeRetainedStoreConformance(
  "NodeRetainedStore",
  () => new NodeRetainedStore(new MemoryRetainedStore()),
  { describe, it, beforeEach, afterEach, expect },
);

const message = (topic: string) => ({
  topic,
  payload: new TextEncoder().encode(topic),
  qos: 0 as const,
  retain: true,
  receivedAt: 1,
});

async function topics(
  store: { match(filter: string): AsyncIterable<{ topic: string }> },
  filter: string,
) {
  const found: string[] = [];
  for await (const { topic } of store.match(filter)) found.push(topic);
  return found.sort();
}

describe("NodeRetainedStore: $SYS stays with the node", () => {
  it("keeps $SYS messages out of the shared store and finds them again by $SYS filters", async () => {
    const shared = new MemoryRetainedStore();
    const store = new NodeRetainedStore(shared);
    await store.set(message("$SYS/broker/uptime"));
    await store.set(message("a/b"));
    expect(await shared.count()).toBe(1);
    expect(await shared.get("$SYS/broker/uptime")).toBeUndefined();
    expect(await store.count()).toBe(2);
    expect(await topics(store, "$SYS/#")).toEqual(["$SYS/broker/uptime"]);
    expect(await topics(store, "#")).toEqual(["a/b"]); // [MQTT-4.7.2-1]
    expect((await store.get("$SYS/broker/uptime"))?.topic).toBe("$SYS/broker/uptime");
    await store.delete("$SYS/broker/uptime");
    expect(await store.count()).toBe(1);
  });
});
