/**
 * The abuse limits and --watch-files in the app: flags, config file keys, precedence, and
 * the files a reload watches.
 */
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli.js";
import { type FileConfig, validateConfig } from "../src/config.js";
import { ConfigError } from "../src/config-error.js";
import { resolveSettings } from "../src/settings.js";
import { reloadablePaths } from "../src/watch-files.js";

function flagsOf(args: readonly string[]) {
  const result = parseCommandLine(args, "0.0.0");
  if (result.action !== "run") throw new Error(`not run: ${result.stderr}`);
  return result.flags;
}

describe("limit flags and config keys", () => {
  it("every new limit has a flag named after its key, and flags override the file", () => {
    const flags = flagsOf([
      ...["--max-connections-per-address", "4"],
      ...["--connections-per-second-per-address", "10"],
      ...["--messages-per-second-per-client", "100"],
      ...["--bytes-per-second-per-client", "65536"],
      ...["--max-subscriptions-per-client", "50"],
      ...["--max-topic-length", "256"],
    ]);
    const file: FileConfig = {
      limits: { maxTopicLength: 1024, maxConnections: 1000, maxConnectionsPerAddress: 8 },
    };
    expect(resolveSettings(flags, file).limits).toEqual({
      maxConnections: 1000,
      maxConnectionsPerAddress: 4,
      connectionsPerSecondPerAddress: 10,
      messagesPerSecondPerClient: 100,
      bytesPerSecondPerClient: 65_536,
      maxSubscriptionsPerClient: 50,
      maxTopicLength: 256,
    });
  });

  it.each([["0"], ["-1"], ["1.5"], ["many"]])("refuses --max-topic-length %s", (value) => {
    const result = parseCommandLine(["--max-topic-length", value], "0.0.0");
    expect(result.action === "exit" && result.exitCode).toBe(1);
  });

  it("validates the new limits in a config file, naming the key", () => {
    const config = validateConfig(
      { limits: { connectionsPerSecondPerAddress: 5, maxTopicLength: 65_535 } },
      "broker.yaml",
    );
    expect(config.limits?.connectionsPerSecondPerAddress).toBe(5);
    for (const [key, value] of [
      ["maxTopicLength", 65_536],
      ["messagesPerSecondPerClient", 0],
      ["maxSubscriptionsPerClient", 2.5],
    ] as const) {
      let error: unknown;
      try {
        validateConfig({ limits: { [key]: value } }, "broker.yaml");
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error) && [error.code, error.key]).toEqual([
        "MQTT_ERR_CONFIG_INVALID_VALUE",
        `limits.${key}`,
      ]);
    }
  });
});

describe("--watch-files", () => {
  it("is on by default; --no-watch-files or watchFiles: false turn it off", () => {
    expect(resolveSettings(flagsOf([]), {}).watchFiles).toBe(true);
    expect(resolveSettings(flagsOf(["--no-watch-files"]), {}).watchFiles).toBe(false);
    expect(resolveSettings(flagsOf([]), { watchFiles: false }).watchFiles).toBe(false);
    expect(resolveSettings(flagsOf(["--watch-files"]), { watchFiles: false }).watchFiles).toBe(
      true,
    );
  });

  it("watches the password, ACL and PEM files of every TLS and WSS listener, once each", () => {
    const settings = resolveSettings(
      flagsOf([
        ...["--password-file", "/etc/ternmq/passwd", "--acl-file", "/etc/ternmq/acl"],
        ...["--tls-port", "8883", "--wss-port", "8443", "--ws-port", "8080"],
        ...["--tls-cert", "/tls/server.crt", "--tls-key", "/tls/server.key"],
        ...["--tls-ca", "/tls/ca.crt"],
      ]),
      {},
    );
    expect(reloadablePaths(settings).sort()).toEqual(
      [
        "/etc/ternmq/acl",
        "/etc/ternmq/passwd",
        "/tls/ca.crt",
        "/tls/server.crt",
        "/tls/server.key",
      ].sort(),
    );
    expect(reloadablePaths(resolveSettings(flagsOf([]), {}))).toEqual([]);
  });
});
