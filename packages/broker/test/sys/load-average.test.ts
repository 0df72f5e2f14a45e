import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decayLoad, LoadAverage } from "../../src/sys/load-average.js";

const MINUTE_MS = 60_000;

describe("decayLoad", () => {
  it("moves a load towards the measured rate by 1 - exp(-elapsed/window)", () => {
    expect(decayLoad(0, 60, 60, 60)).toBeCloseTo(60 * (1 - Math.exp(-1)), 10);
    expect(decayLoad(0, 60, 60, 300)).toBeCloseTo(60 * (1 - Math.exp(-0.2)), 10);
    expect(decayLoad(100, 0, 60, 60)).toBeCloseTo(100 * Math.exp(-1), 10);
  });

  it("keeps the previous load over an empty interval", () => {
    expect(decayLoad(42, 1000, 0, 60)).toBe(42);
  });
});

describe("LoadAverage (Mosquitto's $SYS/broker/load/... computation)", () => {
  it("turns 60 events in one minute into a rate of 60/min, decayed per window", () => {
    const load = new LoadAverage(0, 0);
    load.sample(60, MINUTE_MS);
    expect(load.load("1min")).toBeCloseTo(37.93, 2);
    expect(load.load("5min")).toBeCloseTo(10.88, 2);
    expect(load.load("15min")).toBeCloseTo(60 * (1 - Math.exp(-1 / 15)), 10);
  });

  it("converges to a steady rate and decays to 0 after it stops", () => {
    const load = new LoadAverage(1000, 5_000);
    let count = 1000;
    let now = 5_000;
    for (let tick = 0; tick < 60; tick++) {
      count += 20; // 20 events per 10 s = 120 per minute
      now += 10_000;
      load.sample(count, now);
    }
    expect(load.load("1min")).toBeCloseTo(120, 0);
    for (let tick = 0; tick < 60; tick++) {
      now += 10_000;
      load.sample(count, now);
    }
    expect(load.load("1min")).toBeLessThan(0.01);
    expect(load.load("15min")).toBeGreaterThan(1);
  });

  it("ignores a sample at the same instant or earlier", () => {
    const load = new LoadAverage(0, 10_000);
    load.sample(50, 10_000);
    load.sample(50, 9_000);
    expect(load.load("1min")).toBe(0);
    load.sample(60, 70_000);
    expect(load.load("1min")).toBeCloseTo(60 * (1 - Math.exp(-1)), 10);
  });

  it("does not depend on how a steady stream is sampled (any intervals give r(1 - e^-t/w))", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        (intervalsMs, ratePerMinute) => {
          const load = new LoadAverage(0, 0);
          let now = 0;
          for (const interval of intervalsMs) {
            now += interval;
            load.sample((ratePerMinute * now) / MINUTE_MS, now);
          }
          const expected = ratePerMinute * (1 - Math.exp(-now / MINUTE_MS));
          expect(load.load("1min")).toBeCloseTo(expected, 6);
        },
      ),
      { seed: 20261125, numRuns: 200 },
    );
  });
});
