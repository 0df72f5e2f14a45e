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
  /** Every listen* call after the default TCP one: its kind and options. */
  readonly extraListeners: { kind: string; options: object }[] = [];
  readonly reloads: { cert: Buffer; key: Buffer; ca?: Buffer }[] = [];
  closeCalls = 0;
  /** When set, close() never settles (a hung shutdown). */
  hangOnClose = false;

  constructor(readonly options: AppBrokerOptions) {}

  async listen(options: { port: number; host: string }) {
    this.listened.push(options);
    return { port: options.port === 0 ? 40_123 : options.port, host: options.host };
  }

  private secure(kind: string, options: { port: number; host: string }) {
    this.extraListeners.push({ kind, options });
    return Promise.resolve({
      ...options,
      reload: (certificates: { cert: Buffer; key: Buffer; ca?: Buffer }) => {
        this.reloads.push(certificates);
      },
    });
  }

  listenTls(options: { port: number; host: string }) {
    return this.secure("tls", options);
  }

  listenWebSocketSecure(options: { port: number; host: string }) {
    return this.secure("wss", options);
  }

  async listenWebSocket(options: { port: number; host: string; path?: string }) {
    this.extraListeners.push({ kind: "ws", options });
    return options;
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

  it("starts the configured TLS and WS listeners, and re-reads certificates on SIGHUP", async () => {
    let version = 1;
    const deps = {
      ...dependencies(),
      readFile: async (path: string) => Buffer.from(`${path} v${version}`),
    };
    await runBroker(
      resolveSettings(
        { memory: true },
        {
          listeners: [
            { type: "tls", port: 8883, cert: "s.crt", key: "s.key", minVersion: "TLSv1.3" },
            { type: "ws", port: 8080, host: "127.0.0.1" },
          ],
        },
      ),
      deps,
    );
    expect(broker?.extraListeners).toEqual([
      {
        kind: "tls",
        options: {
          port: 8883,
          host: "0.0.0.0",
          cert: Buffer.from("s.crt v1"),
          key: Buffer.from("s.key v1"),
          minVersion: "TLSv1.3",
        },
      },
      { kind: "ws", options: { port: 8080, host: "127.0.0.1" } },
    ]);
    version = 2;
    signals.emit("SIGHUP");
    await vi.advanceTimersByTimeAsync(0);
    expect(broker?.reloads).toEqual([
      { cert: Buffer.from("s.crt v2"), key: Buffer.from("s.key v2") },
    ]);
    expect(lines.some((line) => line.msg === "certificates reloaded")).toBe(true);
    expect(exits).toEqual([]);
  });
});
