import { afterEach, describe, expect, it } from "vitest";
import { delay, millis, runSketch, setClock } from "../src/index.js";

afterEach(() => setClock());

describe("runSketch", () => {
  it("runs setup once (awaited), then loop repeatedly until stop()", async () => {
    const calls: string[] = [];
    let loops = 0;
    const sketch = runSketch({
      setup: async () => {
        await delay(5);
        calls.push("setup");
      },
      loop: () => {
        loops++;
        if (loops === 1) calls.push("loop");
        if (loops === 50) sketch.stop();
      },
    });
    await sketch.done;
    expect(calls).toEqual(["setup", "loop"]);
    expect(loops).toBe(50);
  });

  it("does not starve timers and I/O between loop() calls", async () => {
    let loops = 0;
    const sketch = runSketch({ setup: () => {}, loop: () => void loops++ });
    await delay(20);
    sketch.stop();
    await sketch.done;
    expect(loops).toBeGreaterThan(1);
  });

  it("awaits an async loop before calling it again", async () => {
    let running = 0;
    let overlapped = false;
    let loops = 0;
    const sketch = runSketch({
      setup: () => {},
      loop: async () => {
        running++;
        overlapped ||= running > 1;
        await delay(1);
        running--;
        if (++loops === 5) sketch.stop();
      },
    });
    await sketch.done;
    expect(overlapped).toBe(false);
  });

  it("rejects done when loop throws, and stops", async () => {
    let loops = 0;
    const sketch = runSketch({
      setup: () => {},
      loop: () => {
        loops++;
        throw new Error("boom");
      },
    });
    await expect(sketch.done).rejects.toThrow("boom");
    expect(loops).toBe(1);
  });
});

describe("millis / delay", () => {
  it("millis() is a non-decreasing integer; setClock swaps and restores it", async () => {
    const first = millis();
    await delay(15);
    const second = millis();
    expect(Number.isInteger(first)).toBe(true);
    expect(second - first).toBeGreaterThanOrEqual(10);
    setClock({ now: () => 42 });
    expect(millis()).toBe(42);
    setClock();
    expect(millis()).toBeGreaterThanOrEqual(second);
  });
});
