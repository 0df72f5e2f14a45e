import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli.js";

function flagsOf(args: string[]) {
  const result = parseCommandLine(args, "1.2.3");
  if (result.action !== "run") throw new Error(`expected flags, got exit: ${result.stderr}`);
  return result.flags;
}

describe("parseCommandLine", () => {
  it("parses every flag, long and short", () => {
    expect(
      flagsOf([
        "-p",
        "1884",
        "--host",
        "127.0.0.1",
        "-c",
        "broker.yaml",
        "--data-dir",
        "/var/lib/ternmq",
        "--memory",
        "--log-level",
        "debug",
        "--sys-interval",
        "2.5",
      ]),
    ).toEqual({
      port: 1884,
      host: "127.0.0.1",
      config: "broker.yaml",
      dataDir: "/var/lib/ternmq",
      memory: true,
      logLevel: "debug",
      sysInterval: 2.5,
    });
    expect(flagsOf(["--port=0", "--config=x.json"])).toEqual({ port: 0, config: "x.json" });
  });

  it("sets nothing that was not given, so the config file is not overridden", () => {
    expect(flagsOf([])).toEqual({});
  });

  it("prints every flag on --help and exits 0", () => {
    const result = parseCommandLine(["--help"], "1.2.3");
    expect(result.action).toBe("exit");
    if (result.action !== "exit") return;
    expect(result.exitCode).toBe(0);
    for (const flag of [
      "--port",
      "-p",
      "--host",
      "--config",
      "-c",
      "--data-dir",
      "--memory",
      "--log-level",
      "--sys-interval",
      "--version",
      "--help",
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain("in memory");
  });

  it("prints the version on --version and -V", () => {
    for (const flag of ["--version", "-V"]) {
      expect(parseCommandLine([flag], "1.2.3")).toEqual({
        action: "exit",
        exitCode: 0,
        stdout: "1.2.3\n",
        stderr: "",
      });
    }
  });

  it.each([
    ["a port that is not a number", ["-p", "http"]],
    ["a port above 65535", ["-p", "65536"]],
    ["a negative port", ["--port=-1"]],
    ["an unknown log level", ["--log-level", "loud"]],
    ["a negative $SYS interval", ["--sys-interval=-1"]],
    ["an unknown flag", ["--persist"]],
    ["an unknown durability", ["--durability", "paranoid"]],
    ["a commit window above 1000 ms", ["--commit-window", "1001"]],
    ["a fractional commit window", ["--commit-window", "0.5"]],
    ["a session age of 0", ["--max-session-age", "0"]],
    ["a stray argument", ["extra"]],
    ["a flag without its value", ["--host"]],
  ])("rejects %s with exit code 1 and a message on stderr", (_name, args) => {
    const result = parseCommandLine(args, "1.2.3");
    expect(result.action).toBe("exit");
    if (result.action !== "exit") return;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toBe("");
    expect(result.stdout).toBe("");
  });
});

describe("storage flags", () => {
  it("parses --durability, --commit-window and --max-session-age", () => {
    expect(
      flagsOf(["--durability", "relaxed", "--commit-window", "5", "--max-session-age", "86400"]),
    ).toEqual({ durability: "relaxed", commitWindow: 5, maxSessionAge: 86_400 });
  });

  it("lists them on --help", () => {
    const result = parseCommandLine(["--help"], "1.2.3");
    for (const flag of ["--durability", "--commit-window", "--max-session-age"]) {
      expect(result).toMatchObject({ stdout: expect.stringContaining(flag) });
    }
  });
});

describe("listener and auth flags", () => {
  it("parses the TLS, WebSocket and auth flags", () => {
    const result = parseCommandLine(
      [
        ...[
          "--tls-port",
          "8883",
          "--tls-cert",
          "s.crt",
          "--tls-key",
          "s.key",
          "--tls-ca",
          "ca.crt",
        ],
        ...["--ws-port", "8080", "--ws-path", "/", "--wss-port", "8443"],
        ...["--password-file", "users", "--acl-file", "acl", "--no-allow-anonymous"],
      ],
      "1.2.3",
    );
    expect(result).toEqual({
      action: "run",
      flags: {
        tlsPort: 8883,
        tlsCert: "s.crt",
        tlsKey: "s.key",
        tlsCa: "ca.crt",
        wsPort: 8080,
        wsPath: "/",
        wssPort: 8443,
        passwordFile: "users",
        aclFile: "acl",
        allowAnonymous: false,
      },
    });
  });

  it("leaves allowAnonymous unset without either flag, so the config file decides", () => {
    const result = parseCommandLine(["--ws-port", "8080"], "1.2.3");
    expect(result).toEqual({ action: "run", flags: { wsPort: 8080 } });
  });

  it("refuses a --tls-port out of range", () => {
    const result = parseCommandLine(["--tls-port", "70000"], "1.2.3");
    expect(result).toMatchObject({ action: "exit", exitCode: 1 });
  });
});

describe("cluster flags", () => {
  it("parses --cluster, --node-id, --cluster-heartbeat and --cluster-node-ttl", () => {
    expect(
      flagsOf([
        ...["--cluster", "redis://127.0.0.1:6379", "--node-id", "n1"],
        ...["--cluster-heartbeat", "250", "--cluster-node-ttl", "1000"],
      ]),
    ).toEqual({
      cluster: "redis://127.0.0.1:6379",
      nodeId: "n1",
      clusterHeartbeat: 250,
      clusterNodeTtl: 1000,
    });
  });

  it("refuses a heartbeat of 0 ms", () => {
    expect(parseCommandLine(["--cluster-heartbeat", "0"], "1.2.3")).toMatchObject({
      action: "exit",
      exitCode: 1,
    });
  });
});
