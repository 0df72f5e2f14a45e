/**
 * The admin HTTP server in the app: --admin-port / --admin-host / --admin-token, the
 * `admin` config-file keys, TERNMQ_ADMIN_TOKEN, and runBroker starting and stopping it.
 */
import { EventEmitter } from "node:events";
import { startAdminServer } from "@ternmq/admin";
import { Broker } from "@ternmq/broker";
import { afterEach, describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli.js";
import { validateConfig } from "../src/config.js";
import { ConfigError } from "../src/config-error.js";
import { createLogger } from "../src/log.js";
import { type RunningBroker, runBroker } from "../src/run.js";
import { resolveSettings } from "../src/settings.js";

function flags(args: string[]) {
  const result = parseCommandLine(args, "0.0.0");
  if (result.action !== "run") throw new Error(result.stderr);
  return result.flags;
}

describe("admin settings", () => {
  it("are off without a port", () => {
    expect(resolveSettings(flags([]), {}).admin).toBeUndefined();
  });

  it("take --admin-port, --admin-host, --admin-token; host defaults to 127.0.0.1", () => {
    expect(resolveSettings(flags(["--admin-port", "9100"]), {}).admin).toEqual({
      port: 9100,
      host: "127.0.0.1",
    });
    const args = ["--admin-port", "0", "--admin-host", "0.0.0.0", "--admin-token", "t1"];
    expect(resolveSettings(flags(args), {}).admin).toEqual({
      port: 0,
      host: "0.0.0.0",
      token: "t1",
    });
  });

  it("token precedence: flag, then TERNMQ_ADMIN_TOKEN, then the config file", () => {
    const file = validateConfig(
      { admin: { port: 9100, host: "::1", token: "from-file" } },
      "f.yaml",
    );
    expect(resolveSettings(flags([]), file).admin).toEqual({
      port: 9100,
      host: "::1",
      token: "from-file",
    });
    expect(resolveSettings(flags([]), file, { TERNMQ_ADMIN_TOKEN: "from-env" }).admin?.token).toBe(
      "from-env",
    );
    expect(
      resolveSettings(flags(["--admin-token", "from-flag"]), file, { TERNMQ_ADMIN_TOKEN: "e" })
        .admin?.token,
    ).toBe("from-flag");
  });

  it("config file: a bad admin port or an unknown admin key names the key", () => {
    for (const [admin, code, key] of [
      [{ port: 70_000 }, "MQTT_ERR_CONFIG_INVALID_VALUE", "admin.port"],
      [{ port: 1, user: "x" }, "MQTT_ERR_CONFIG_UNKNOWN_KEY", "admin.user"],
    ] as const) {
      let error: unknown;
      try {
        validateConfig({ admin }, "f.yaml");
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).code).toBe(code);
      expect((error as ConfigError).key).toBe(key);
    }
  });

  it("--admin-port refuses a non-port", () => {
    const result = parseCommandLine(["--admin-port", "http"], "0.0.0");
    expect(result.action).toBe("exit");
  });
});

describe("runBroker with the admin server", () => {
  let running: RunningBroker | undefined;
  let stopped: Promise<number> | undefined;
  afterEach(async () => {
    running?.shutdown("SIGTERM");
    await stopped;
  });

  it("starts it after the listeners (ready at once) and closes it on shutdown", async () => {
    const lines: { msg: string; admin?: { port: number } }[] = [];
    const signals = new EventEmitter();
    let exit: (code: number) => void = () => {};
    stopped = new Promise((resolve) => {
      exit = resolve;
    });
    const settings = resolveSettings(
      { port: 0, host: "127.0.0.1", memory: true, adminPort: 0, sysInterval: 0 },
      {},
    );
    running = await runBroker(settings, {
      createBroker: (options) => new Broker({ ...options, logger: { level: "silent" } }),
      openStore: () => {
        throw new Error("memory: no store");
      },
      startAdmin: (broker, admin) => startAdminServer(broker, admin),
      logger: createLogger("info", { write: (line: string) => lines.push(JSON.parse(line)) }),
      signals,
      exit: (code) => exit(code),
      version: "0.0.0",
    });
    const started = lines.find((line) => line.msg === "ternmq-broker started");
    const port = started?.admin?.port;
    expect(port).toBeGreaterThan(0);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    running.shutdown("SIGTERM");
    running = undefined;
    expect(await stopped).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
