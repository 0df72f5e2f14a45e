import { describe, expect, it } from "vitest";
import { resolveSettings, toBrokerOptions } from "../src/settings.js";

describe("resolveSettings", () => {
  it("uses the defaults when neither flags nor file set anything", () => {
    expect(resolveSettings({}, {})).toEqual({
      port: 1883,
      host: "0.0.0.0",
      logLevel: "info",
      dataDir: "./data",
      memory: false,
      durability: "fsync",
      commitWindow: 0,
      maxSessionAge: undefined,
      sysInterval: undefined,
      maxQoS: undefined,
      retainAvailable: undefined,
      limits: {},
      listeners: [],
      auth: {},
      watchFiles: true,
    });
  });

  it("adds the --tls-port, --ws-port and --wss-port listeners after the file's", () => {
    const settings = resolveSettings(
      { tlsPort: 8883, tlsCert: "s.crt", tlsKey: "s.key", wsPort: 8080, wsPath: "/" },
      { listeners: [{ type: "tcp", port: 1884 }] },
    );
    expect(settings.listeners).toEqual([
      { type: "tcp", port: 1884 },
      { type: "tls", port: 8883, cert: "s.crt", key: "s.key" },
      { type: "ws", port: 8080, path: "/" },
    ]);
  });

  it("--tls-port without --tls-key is refused, naming the missing key", () => {
    expect(() => resolveSettings({ tlsPort: 8883, tlsCert: "s.crt" }, {})).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_CONFIG_INVALID_VALUE", key: "--tls-port.key" }),
    );
  });

  it("lets flags override the config file, and the file override the defaults", () => {
    const settings = resolveSettings(
      { port: 0, logLevel: "debug", sysInterval: 1 },
      { port: 1884, host: "127.0.0.1", logLevel: "warn", sysInterval: 30, memory: true },
    );
    expect(settings).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      logLevel: "debug",
      sysInterval: 1,
      memory: true,
    });
  });
});

describe("storage settings", () => {
  it("takes durability, commit window and session age from the file, flags first", () => {
    const file = { durability: "relaxed", commitWindow: 3, maxSessionAge: 60 } as const;
    expect(resolveSettings({}, file)).toMatchObject(file);
    expect(
      resolveSettings({ durability: "fsync", commitWindow: 0, maxSessionAge: 10 }, file),
    ).toMatchObject({ durability: "fsync", commitWindow: 0, maxSessionAge: 10 });
  });

  it("passes the session age to the broker as maxSessionAgeSeconds", () => {
    expect(toBrokerOptions(resolveSettings({ maxSessionAge: 90 }, {}))).toMatchObject({
      maxSessionAgeSeconds: 90,
    });
  });
});

describe("toBrokerOptions", () => {
  it("maps settings onto BrokerOptions and leaves unset ones to the broker", () => {
    expect(toBrokerOptions(resolveSettings({}, {}))).toEqual({
      logger: { level: "info" },
      shutdownTimeoutMs: 4_000,
      limits: {},
    });
    expect(
      toBrokerOptions(
        resolveSettings(
          { logLevel: "error", sysInterval: 0 },
          { maxQoS: 1, retainAvailable: false, limits: { maxConnections: 5 } },
        ),
      ),
    ).toEqual({
      logger: { level: "error" },
      shutdownTimeoutMs: 4_000,
      sysInterval: 0,
      maxQoS: 1,
      retainAvailable: false,
      limits: { maxConnections: 5 },
    });
  });
});

describe("resolveSettings: cluster", () => {
  it("is off without a Redis URL", () => {
    expect(resolveSettings({ nodeId: "n1" }, {}).cluster).toBeUndefined();
  });

  it("takes --cluster and --node-id over the file's cluster section", () => {
    const settings = resolveSettings(
      { cluster: "redis://127.0.0.1:6380", clusterNodeTtl: 500 },
      { cluster: { redis: "redis://10.0.0.1:6379", nodeId: "n2", heartbeatMs: 200 } },
    );
    expect(settings.cluster).toEqual({
      redis: "redis://127.0.0.1:6380",
      nodeId: "n2",
      heartbeatMs: 200,
      nodeTtlMs: 500,
    });
  });
});
