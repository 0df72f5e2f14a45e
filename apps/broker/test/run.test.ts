import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/log.js";
import { type RunDependencies, type RunnableBroker, runBroker } from "../src/run.js";
import type { AppBrokerOptions } from "../src/settings.js";
import { resolveSettings } from "../src/settings.js";

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

class FakeBroker implements RunnableBroker {
  readonly listened: { port: number; host: string }[] = [];
  closeCalls = 0;
  /** When set, close() never settles (a hung shutdown). */
  hangOnClose = false;

  constructor(readonly options: AppBrokerOptions) {}

  async listen(options: { port: number; host: string }) {
    this.listened.push(options);
    return { port: options.port === 0 ? 40_123 : options.port, host: options.host };
  }

  close(): Promise<void> {
    this.closeCalls++;
    return this.hangOnClose ? new Promise(() => undefined) : Promise.resolve();
  }
}

describe("runBroker", () => {
  let lines: LogLine[];
  let exits: number[];
  let signals: EventEmitter;
  let broker: FakeBroker | undefined;

  function dependencies(configure?: (fake: FakeBroker) => void): RunDependencies {
    return {
      createBroker: (options) => {
        broker = new FakeBroker(options);
        configure?.(broker);
        return broker;
      },
      logger: createLogger("info", {
        write: (line: string) => lines.push(JSON.parse(line) as LogLine),
      }),
      signals,
      exit: (code) => exits.push(code),
      version: "1.2.3",
    };
  }

  beforeEach(() => {
    vi.useFakeTimers();
    lines = [];
    exits = [];
    signals = new EventEmitter();
    broker = undefined;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("listens on the configured address and logs the real port", async () => {
    const running = await runBroker(
      resolveSettings({ port: 0, host: "127.0.0.1", memory: true }, {}),
      dependencies(),
    );
    expect(broker?.listened).toEqual([{ port: 0, host: "127.0.0.1" }]);
    expect(running.port).toBe(40_123);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "ternmq-broker started",
        version: "1.2.3",
        host: "127.0.0.1",
        port: 40_123,
        memory: true,
      }),
    ]);
  });

  it("warns once that state is kept in memory unless --memory is given", async () => {
    await runBroker(resolveSettings({ dataDir: "/srv/data" }, {}), dependencies());
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ dataDir: "/srv/data" });
    expect(warnings[0]?.msg).toContain("memory");
  });

  it("passes the log level and limits to the broker", async () => {
    await runBroker(
      resolveSettings({ logLevel: "warn", memory: true }, { limits: { maxInflight: 7 } }),
      dependencies(),
    );
    expect(broker?.options).toEqual({
      logger: { level: "warn" },
      shutdownTimeoutMs: 4_000,
      limits: { maxInflight: 7 },
    });
  });

  it.each(["SIGINT", "SIGTERM"] as const)("closes the broker on %s and exits 0", async (signal) => {
    await runBroker(resolveSettings({ memory: true }, {}), dependencies());
    signals.emit(signal);
    await vi.advanceTimersByTimeAsync(0);
    expect(broker?.closeCalls).toBe(1);
    expect(exits).toEqual([0]);
  });

  it("exits 1 after 5 s when close hangs", async () => {
    await runBroker(
      resolveSettings({ memory: true }, {}),
      dependencies((fake) => {
        fake.hangOnClose = true;
      }),
    );
    signals.emit("SIGTERM");
    await vi.advanceTimersByTimeAsync(4_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
  });

  it("exits 1 at once on a second signal while stopping", async () => {
    await runBroker(
      resolveSettings({ memory: true }, {}),
      dependencies((fake) => {
        fake.hangOnClose = true;
      }),
    );
    signals.emit("SIGINT");
    signals.emit("SIGINT");
    expect(exits).toEqual([1]);
    expect(broker?.closeCalls).toBe(1);
  });
});
