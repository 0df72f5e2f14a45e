import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig, validateConfig } from "../src/config.js";
import { ConfigError, type ConfigErrorCode } from "../src/config-error.js";

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("validateConfig", () => {
  it("accepts every key that mirrors BrokerOptions", () => {
    const config = {
      port: 1884,
      host: "::",
      logLevel: "warn",
      maxQoS: 1,
      retainAvailable: false,
      sysInterval: 0,
      dataDir: "/data",
      memory: true,
      durability: "relaxed",
      commitWindow: 2,
      maxSessionAge: 3600,
      limits: {
        maxConnections: 10,
        connectTimeoutMs: 1000,
        maxPacketSize: 1024,
        maxKeepalive: 600,
        maxClientIdLength: 64,
        maxTopicLevels: 16,
        maxInflight: 20,
        maxQueuedMessages: 0,
        maxQueuedBytes: 1 << 20,
        maxOutgoingBufferBytes: 1 << 16,
        drainTimeoutMs: 5000,
      },
    };
    expect(validateConfig(config, "broker.json")).toEqual(config);
  });

  it.each<[string, unknown, ConfigErrorCode, string | undefined]>([
    ["an unknown top-level key", { prot: 1883 }, "MQTT_ERR_CONFIG_UNKNOWN_KEY", "prot"],
    [
      "an unknown limit",
      { limits: { maxInflights: 1 } },
      "MQTT_ERR_CONFIG_UNKNOWN_KEY",
      "limits.maxInflights",
    ],
    ["a string port", { port: "1883" }, "MQTT_ERR_CONFIG_INVALID_TYPE", "port"],
    ["a fractional port", { port: 1883.5 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "port"],
    ["a port above 65535", { port: 70000 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "port"],
    ["a numeric host", { host: 127 }, "MQTT_ERR_CONFIG_INVALID_TYPE", "host"],
    ["an unknown log level", { logLevel: "loud" }, "MQTT_ERR_CONFIG_INVALID_VALUE", "logLevel"],
    ["maxQoS 3", { maxQoS: 3 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "maxQoS"],
    ["maxQoS as a string", { maxQoS: "2" }, "MQTT_ERR_CONFIG_INVALID_TYPE", "maxQoS"],
    ["memory as a string", { memory: "yes" }, "MQTT_ERR_CONFIG_INVALID_TYPE", "memory"],
    [
      "an unknown durability",
      { durability: "paranoid" },
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "durability",
    ],
    ["durability as a boolean", { durability: true }, "MQTT_ERR_CONFIG_INVALID_TYPE", "durability"],
    [
      "a commit window over 1 s",
      { commitWindow: 1001 },
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "commitWindow",
    ],
    [
      "a negative commit window",
      { commitWindow: -1 },
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "commitWindow",
    ],
    ["a session age of 0", { maxSessionAge: 0 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "maxSessionAge"],
    [
      "a string session age",
      { maxSessionAge: "1d" },
      "MQTT_ERR_CONFIG_INVALID_TYPE",
      "maxSessionAge",
    ],
    ["a negative sysInterval", { sysInterval: -1 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "sysInterval"],
    ["limits as a list", { limits: [1] }, "MQTT_ERR_CONFIG_INVALID_TYPE", "limits"],
    [
      "a string limit",
      { limits: { maxInflight: "ten" } },
      "MQTT_ERR_CONFIG_INVALID_TYPE",
      "limits.maxInflight",
    ],
    [
      "a zero limit",
      { limits: { maxInflight: 0 } },
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "limits.maxInflight",
    ],
    ["a null value", { port: null }, "MQTT_ERR_CONFIG_INVALID_TYPE", "port"],
    ["a list at the top", [1, 2], "MQTT_ERR_CONFIG_INVALID_TYPE", undefined],
  ])("rejects %s, naming the key", (_name, data, code, key) => {
    const error = configError(() => validateConfig(data, "broker.yaml"));
    expect(error.code).toBe(code);
    expect(error.key).toBe(key);
    expect(error.file).toBe("broker.yaml");
    if (key !== undefined) expect(error.message).toContain(key);
  });

  it("treats an empty file as no settings", () => {
    expect(validateConfig(null, "empty.yaml")).toEqual({});
  });
});

describe("parseConfig", () => {
  it("reads the same settings from YAML and JSON", () => {
    const yaml = "port: 1884\nlogLevel: debug\nlimits:\n  maxInflight: 20\n";
    const json = '{ "port": 1884, "logLevel": "debug", "limits": { "maxInflight": 20 } }';
    const expected = { port: 1884, logLevel: "debug", limits: { maxInflight: 20 } };
    expect(parseConfig(yaml, "broker.yaml")).toEqual(expected);
    expect(parseConfig(yaml, "broker.yml")).toEqual(expected);
    expect(parseConfig(json, "broker.json")).toEqual(expected);
  });

  it("parses a .json file strictly as JSON", () => {
    expect(configError(() => parseConfig("port: 1884", "broker.json")).code).toBe(
      "MQTT_ERR_CONFIG_SYNTAX",
    );
  });

  it("reports YAML syntax errors", () => {
    expect(configError(() => parseConfig("port: [1884", "broker.yaml")).code).toBe(
      "MQTT_ERR_CONFIG_SYNTAX",
    );
  });

  it("validates YAML types as written (a quoted number is a string)", () => {
    const error = configError(() => parseConfig('port: "1884"', "broker.yaml"));
    expect([error.code, error.key]).toEqual(["MQTT_ERR_CONFIG_INVALID_TYPE", "port"]);
  });
});

describe("loadConfigFile", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "ternmq-config-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("loads a YAML file from disk", async () => {
    const file = join(directory, "broker.yaml");
    await writeFile(file, "host: 127.0.0.1\nsysInterval: 5\n");
    await expect(loadConfigFile(file)).resolves.toEqual({ host: "127.0.0.1", sysInterval: 5 });
  });

  it("reports a missing file with its name", async () => {
    const file = join(directory, "missing.yaml");
    await expect(loadConfigFile(file)).rejects.toMatchObject({
      code: "MQTT_ERR_CONFIG_READ",
      file,
    });
  });
});

describe("listeners", () => {
  it("accepts tcp, tls, ws and wss entries", () => {
    const config = {
      listeners: [
        { type: "tcp", port: 1884 },
        { type: "tls", port: 8883, cert: "s.crt", key: "s.key", ca: "ca.crt", requestCert: true },
        { type: "ws", port: 8080, path: "/mqtt" },
        { type: "wss", port: 8443, cert: "s.crt", key: "s.key", minVersion: "TLSv1.3" },
      ],
    };
    expect(validateConfig(config, "broker.yaml")).toEqual(config);
  });

  const invalid: [string, unknown, ConfigErrorCode, string][] = [
    ["not a list", { port: 1 }, "MQTT_ERR_CONFIG_INVALID_TYPE", "listeners"],
    [
      "unknown type",
      [{ type: "quic", port: 1 }],
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "listeners[0].type",
    ],
    [
      "port out of range",
      [{ type: "ws", port: 70_000 }],
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "listeners[0].port",
    ],
    [
      "unknown key",
      [{ type: "ws", port: 1, cors: true }],
      "MQTT_ERR_CONFIG_UNKNOWN_KEY",
      "listeners[0].cors",
    ],
    [
      "tls without a key",
      [{ type: "tls", port: 1, cert: "c" }],
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "listeners[0].key",
    ],
    ["no port", [{ type: "tcp" }], "MQTT_ERR_CONFIG_INVALID_VALUE", "listeners[0].port"],
    [
      "bad minVersion",
      [{ type: "tls", port: 1, cert: "c", key: "k", minVersion: "TLSv1" }],
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      "listeners[0].minVersion",
    ],
  ];
  for (const [name, listeners, code, key] of invalid) {
    it(`${name}: ${code} naming ${key}`, () => {
      expect(() => validateConfig({ listeners }, "broker.yaml")).toThrow(
        expect.objectContaining({ code, key }),
      );
    });
  }
});
