import { EventEmitter } from "node:events";
import type { BrokerPersistence } from "@ternmq/broker";
// The memory stores stand in for SQLite here (@ternmq/session is a devDependency).
import { MemoryRetainedStore, MemorySessionStore, StoreError } from "@ternmq/session";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/log.js";
import {
  type AppStore,
  errorLine,
  type RunDependencies,
  type RunnableBroker,
  runBroker,
  type StoreOptions,
} from "../src/run.js";
import type { AppBrokerOptions } from "../src/settings.js";
import { resolveSettings } from "../src/settings.js";

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A store whose `close` is counted (the memory stores stand in for SQLite). */
class FakeStore implements AppStore {
  readonly sessions = new MemorySessionStore();
  readonly retained = new MemoryRetainedStore();
  closeCalls = 0;
  constructor(readonly path: string) {}
  async close(): Promise<void> {
    this.closeCalls++;
    await Promise.all([this.sessions.close(), this.retained.close()]);
  }
}

class FakeBroker extends EventEmitter<{ "store-failed": [Error] }> implements RunnableBroker {
  /** The restore of stored state; a test replaces it to hold or fail the start. */
  ready: Promise<void> = Promise.resolve();
  readonly listened: { port: number; host: string }[] = [];
  /** Every listen* call after the default TCP one: its kind and options. */
  readonly extraListeners: { kind: string; options: object }[] = [];
  readonly reloads: { cert: Buffer; key: Buffer; ca?: Buffer }[] = [];
  closeCalls = 0;
  /** When set, close() never settles (a hung shutdown). */
  hangOnClose = false;

  constructor(
    readonly options: AppBrokerOptions,
    readonly persistence: BrokerPersistence | undefined,
  ) {
    super();
  }

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
  let stores: { options: StoreOptions; store: FakeStore }[];

  function dependencies(configure?: (fake: FakeBroker) => void): RunDependencies {
    return {
      createBroker: (options, persistence) => {
        broker = new FakeBroker(options, persistence);
        configure?.(broker);
        return broker;
      },
      openStore: (options) => {
        const store = new FakeStore(`${options.directory}/ternmq.db`);
        stores.push({ options, store });
        return store;
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
    stores = [];
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

  it("opens the store in the data folder and hands its stores to the broker", async () => {
    await runBroker(
      resolveSettings({ dataDir: "/srv/data", durability: "relaxed", commitWindow: 5 }, {}),
      dependencies(),
    );
    expect(stores.map(({ options }) => options)).toEqual([
      { directory: "/srv/data", durability: "relaxed", commitWindowMs: 5 },
    ]);
    expect(broker?.persistence?.sessions).toBe(stores[0]?.store.sessions);
    expect(broker?.persistence?.retained).toBe(stores[0]?.store.retained);
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({
      msg: "ternmq-broker started",
      memory: false,
      store: "/srv/data/ternmq.db",
      durability: "relaxed",
      commitWindow: 5,
    });
  });

  it("opens no store with --memory (the broker's in-memory stores)", async () => {
    await runBroker(resolveSettings({ memory: true, dataDir: "/srv/data" }, {}), dependencies());
    expect(stores).toEqual([]);
    expect(broker?.persistence).toBeUndefined();
  });

  it("defaults to fsync durability, a commit window of 0 and ./data", async () => {
    await runBroker(resolveSettings({}, {}), dependencies());
    expect(stores.map(({ options }) => options)).toEqual([
      { directory: "./data", durability: "fsync", commitWindowMs: 0 },
    ]);
  });

  it("binds no listener before the broker has restored its stored state", async () => {
    let restore: (() => void) | undefined;
    const running = runBroker(
      resolveSettings({ port: 0 }, { listeners: [{ type: "ws", port: 0 }] }),
      dependencies((fake) => {
        fake.ready = new Promise<void>((resolve) => {
          restore = resolve;
        });
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(broker?.listened).toEqual([]);
    expect(broker?.extraListeners).toEqual([]);
    restore?.();
    await running;
    expect(broker?.listened).toHaveLength(1);
    expect(broker?.extraListeners).toHaveLength(1);
  });

  it("throws the store's error before creating a broker when the folder cannot be opened", async () => {
    const locked = new StoreError("MQTT_ERR_STORE_LOCKED", "/srv/data/ternmq.db: locked");
    const deps = {
      ...dependencies(),
      openStore: () => {
        throw locked;
      },
    };
    await expect(runBroker(resolveSettings({ dataDir: "/srv/data" }, {}), deps)).rejects.toBe(
      locked,
    );
    expect(broker).toBeUndefined();
  });

  it("closes the store when the broker cannot be created", async () => {
    const deps = {
      ...dependencies(),
      createBroker: () => {
        throw new Error("bad option");
      },
    };
    await expect(runBroker(resolveSettings({}, {}), deps)).rejects.toThrow("bad option");
    expect(stores[0]?.store.closeCalls).toBe(1);
  });

  it("closes the broker and listens nowhere when the restore fails", async () => {
    const corrupt = new StoreError("MQTT_ERR_STORE_SNAPSHOT_VERSION", "unreadable session");
    const running = runBroker(
      resolveSettings({}, {}),
      dependencies((fake) => {
        fake.ready = Promise.reject(corrupt);
      }),
    );
    await expect(running).rejects.toBe(corrupt);
    expect(broker?.listened).toEqual([]);
    expect(broker?.closeCalls).toBe(1);
  });

  it("reports a store failure during start rather than the failed listen it causes", async () => {
    const full = new StoreError("MQTT_ERR_STORE_FULL", "/srv/data/ternmq.db: disk full");
    const running = runBroker(
      resolveSettings({}, {}),
      dependencies((fake) => {
        // The failure arrives while the app waits for the restore.
        fake.ready = Promise.resolve().then(() => {
          fake.emit("store-failed", full);
        });
      }),
    );
    await expect(running).rejects.toBe(full);
    expect(broker?.listened).toEqual([]);
    expect(exits).toEqual([]);
  });

  it("closes the broker and exits 1 when a store write fails while running", async () => {
    await runBroker(resolveSettings({}, {}), dependencies());
    broker?.emit(
      "store-failed",
      new StoreError("MQTT_ERR_STORE_IO", "/srv/data/ternmq.db: commit failed"),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(broker?.closeCalls).toBe(1);
    expect(exits).toEqual([1]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining("store write failed") }),
    );
  });

  it("passes the log level, limits and session age to the broker", async () => {
    await runBroker(
      resolveSettings(
        { logLevel: "warn", memory: true },
        { limits: { maxInflight: 7 }, maxSessionAge: 3600 },
      ),
      dependencies(),
    );
    expect(broker?.options).toEqual({
      logger: { level: "warn" },
      shutdownTimeoutMs: 4_000,
      maxSessionAgeSeconds: 3600,
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

describe("errorLine", () => {
  it("keeps an error on one line and adds its code unless the message names it", () => {
    const error = new StoreError("MQTT_ERR_STORE_FULL", "/d/ternmq.db:\n  disk full");
    expect(errorLine(error)).toBe("/d/ternmq.db: disk full (MQTT_ERR_STORE_FULL)");
    const inUse = Object.assign(new Error("listen EADDRINUSE: in use"), { code: "EADDRINUSE" });
    expect(errorLine(inUse)).toBe("listen EADDRINUSE: in use");
    expect(errorLine("plain")).toBe("plain");
  });
});
