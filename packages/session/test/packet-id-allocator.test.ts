import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PACKET_ID, PacketIdAllocator, SessionError } from "../src/index.js";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (SessionError.isSessionError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe("PacketIdAllocator", () => {
  it("[MQTT-2.3.1-1] hands out non-zero ids starting at 1", () => {
    const ids = new PacketIdAllocator();
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([1, 2, 3]);
  });

  it("wraps past 65535 to 1, skipping ids still in use", () => {
    const ids = new PacketIdAllocator(MAX_PACKET_ID - 1);
    expect(ids.allocate()).toBe(65_534);
    expect(ids.allocate()).toBe(65_535);
    expect(ids.allocate()).toBe(1);
    const again = new PacketIdAllocator(MAX_PACKET_ID);
    again.claim(1);
    again.claim(2);
    expect(again.allocate()).toBe(MAX_PACKET_ID);
    expect(again.allocate()).toBe(3);
  });

  it("[MQTT-2.3.1-2] throws MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED when all 65535 are in use", () => {
    const ids = new PacketIdAllocator();
    for (let count = 0; count < MAX_PACKET_ID; count++) ids.allocate();
    expect(codeOf(() => ids.allocate())).toBe("MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED");
    ids.release(40_000);
    expect(ids.allocate()).toBe(40_000);
  }, 30_000);

  it("[MQTT-2.3.1-2] never returns an id in use, under random allocate/release (property)", () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant("allocate" as const),
        times: fc.integer({ min: 1, max: 200 }),
      }),
      fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PACKET_ID }),
        fc.array(operation, { maxLength: 60 }),
        (start, operations) => {
          const ids = new PacketIdAllocator(start);
          const model = new Set<number>();
          for (const op of operations) {
            if (op.kind === "release") {
              const held = [...model];
              const id = held[op.pick % Math.max(1, held.length)];
              if (id === undefined) continue;
              expect(ids.isInUse(id)).toBe(true);
              ids.release(id);
              expect(ids.isInUse(id)).toBe(false);
              model.delete(id);
              continue;
            }
            for (let count = 0; count < op.times; count++) {
              const id = ids.allocate();
              // Plain checks in the inner loop keep 300 runs fast; fast-check reports the case.
              if (id < 1 || id > MAX_PACKET_ID || model.has(id)) {
                throw new Error(`allocated id ${id}, which is invalid or in use`);
              }
              model.add(id);
            }
          }
          expect(ids.size).toBe(model.size);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  }, 30_000);

  it("exhaustion is reported from any cursor position and never loops (property)", () => {
    const ids = new PacketIdAllocator();
    for (let count = 0; count < MAX_PACKET_ID; count++) ids.allocate();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PACKET_ID }), (freed) => {
        ids.release(freed);
        expect(ids.allocate()).toBe(freed);
        expect(codeOf(() => ids.allocate())).toBe("MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED");
      }),
      { numRuns: 50, seed: 11 },
    );
  }, 30_000);
});
