/**
 * kill -9: a child process writes with group commit and prints every write whose promise
 * resolved; it is SIGKILLed at a random moment, and every write it reported must be in the
 * reopened file, in order, with nothing half-applied.
 */
import type { SessionMessage } from "@ternmq/session";
import { afterEach, describe, expect, it } from "vitest";
import { FixtureProcess } from "./child-process.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
let child: FixtureProcess | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
  await temp.cleanUp();
});

function numberOf(message: SessionMessage): number {
  return new DataView(message.payload.buffer, message.payload.byteOffset, 4).getUint32(0);
}

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** The highest number reported with `kind` ("q", "d", "r"), or -1. */
function highest(lines: readonly string[], kind: string): number {
  let max = -1;
  for (const line of lines) {
    const [lineKind, value] = line.split(" ");
    if (lineKind === kind) max = Math.max(max, Number(value));
  }
  return max;
}

describe("kill -9 of a writing process", () => {
  it("every write reported resolved before SIGKILL is in the reopened file, in order", async () => {
    const seed = Date.now() >>> 0;
    const next = random(seed);
    const directory = temp.directory();
    const retainedReported = new Map<string, number>();
    let totalReported = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const writer = new FixtureProcess("crash-writer.ts", [directory]);
      child = writer;
      const killAfter = 20 + Math.floor(next() * 300);
      await writer.waitFor(`${killAfter} resolved writes`, (lines) => lines.length >= killAfter);
      await writer.kill();
      const lines = writer.lines;
      totalReported += lines.length;
      for (const line of lines) {
        const [kind, value] = line.split(" ");
        if (kind !== "r") continue;
        const topic = `crash/${Number(value) % 16}`;
        retainedReported.set(topic, Math.max(retainedReported.get(topic) ?? -1, Number(value)));
      }

      const store = temp.open({ directory });
      const context = `seed ${seed}, cycle ${cycle}, killed after ${lines.length} lines`;
      const queued = (await store.sessions.load("crash"))?.snapshot.outbound.queued ?? [];
      const numbers = queued.map(numberOf);
      const first = numbers[0] ?? 0;
      // Contiguous and in order: nothing reordered, no hole left by a half-applied batch.
      expect({ context, numbers }).toStrictEqual({
        context,
        numbers: numbers.map((_, index) => first + index),
      });
      const stored = { last: numbers[numbers.length - 1] ?? -1, head: first };
      expect({ context, lastAtLeast: stored.last >= highest(lines, "q") }).toStrictEqual({
        context,
        lastAtLeast: true,
      });
      expect({ context, headAtLeast: stored.head >= highest(lines, "d") }).toStrictEqual({
        context,
        headAtLeast: true,
      });
      for (const [topic, reported] of retainedReported) {
        const retained = await store.retained.get(topic);
        const value = retained === undefined ? -1 : numberOf(retained);
        expect({ context, topic, atLeast: value >= reported }).toStrictEqual({
          context,
          topic,
          atLeast: true,
        });
      }
      await store.close();
    }
    expect(totalReported).toBeGreaterThan(0);
  }, 60_000);
});
