/**
 * The app as a real process: spawned from source with tsx, driven by Debian's mosquitto_pub and
 * mosquitto_sub over TCP, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Certificates,
  makeCertificates,
  removeCertificates,
} from "../../../packages/broker/test/listeners/certificates.js";

const appDirectory = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];

function start(command: string, args: readonly string[]): ChildProcess {
  const child = spawn(command, args, { cwd: appDirectory, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return child;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (or the signal name); rejects after `timeoutMs`. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve, reject) => {
    if (hasExited(child)) {
      resolve(child.exitCode ?? String(child.signalCode));
      return;
    }
    const timer = setTimeout(
      () => reject(new Error(`still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? String(signal));
    });
  });
}

/**
 * Resolves with the first stdout line that `match` accepts. Reads with a plain "data" listener
 * (readline would pause the stream when closed), so the stream keeps flowing afterwards and a
 * chatty process never blocks on a full pipe.
 */
function lineOf(
  child: ChildProcess,
  match: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = "";
    let stderr = "";
    const onStderr = (chunk: Buffer): void => {
      stderr += chunk.toString();
    };
    const finish = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onStderr);
      child.off("exit", onExit);
    };
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      const found = lines.find(match);
      if (found === undefined) return;
      finish();
      resolve(found);
    };
    const onExit = (): void => {
      finish();
      reject(new Error(`exited before the line; stderr: ${stderr}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onStderr);
    child.once("exit", onExit);
  });
}

async function output(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | string; stdout: string }> {
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await exitOf(child, timeoutMs);
  return { code, stdout };
}

/** `node` arguments that run the app from its TypeScript source (no build needed). */
const FROM_SOURCE = ["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"];

interface StartedLine {
  host: string;
  port: number;
  sysInterval?: number;
  listeners: { type: string; host: string; port: number }[];
}

/** Starts the app with `args`; returns the process and its "ternmq-broker started" log line. */
async function startApp(
  args: readonly string[],
): Promise<{ broker: ChildProcess; started: StartedLine }> {
  const broker = start(process.execPath, [...FROM_SOURCE, ...args]);
  const line = await lineOf(
    broker,
    (text) => text.includes('"msg":"ternmq-broker started"'),
    30_000,
  );
  return { broker, started: JSON.parse(line) as StartedLine };
}

/** Starts the broker on a free port of 127.0.0.1; returns the process and the port it logged. */
async function startBroker(
  extraArgs: readonly string[] = [],
): Promise<{ broker: ChildProcess; port: number }> {
  const { broker, started } = await startApp([
    ...["-p", "0", "--host", "127.0.0.1", "--memory"],
    ...extraArgs,
  ]);
  expect(started.host).toBe("127.0.0.1");
  expect(started.port).toBeGreaterThan(0);
  return { broker, port: started.port };
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (!hasExited(child)) child.kill("SIGKILL");
  }
});

describe("ternmq-broker as a process", () => {
  it("serves a mosquitto_sub/mosquitto_pub round trip and exits 0 on SIGTERM", async () => {
    const { broker, port } = await startBroker();
    const common = ["-h", "127.0.0.1", "-p", String(port)];
    // -d prints the SUBACK, so the message is published only once the subscription exists;
    // stdbuf makes mosquitto_sub's stdout line-buffered (a pipe is block-buffered otherwise).
    const subscriber = start("stdbuf", [
      "-oL",
      "mosquitto_sub",
      ...common,
      "-d",
      "-t",
      "e2e/+",
      "-q",
      "1",
      "-C",
      "1",
      "-W",
      "10",
      "-v",
    ]);
    const subscriberOutput = output(subscriber, 15_000);
    await lineOf(subscriber, (line) => line.includes("SUBACK"), 10_000);
    const publisher = start("mosquitto_pub", [
      ...common,
      "-t",
      "e2e/hello",
      "-q",
      "1",
      "-m",
      "hi there",
    ]);
    expect(await exitOf(publisher, 10_000)).toBe(0);
    const { code, stdout } = await subscriberOutput;
    expect(code).toBe(0);
    expect(stdout).toContain("e2e/hello hi there");

    broker.kill("SIGTERM");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);

  it("publishes $SYS every --sys-interval seconds, retained", async () => {
    const { broker, port } = await startBroker(["--sys-interval", "1"]);
    const watcher = start("mosquitto_sub", [
      ...["-h", "127.0.0.1", "-p", String(port)],
      ...["-t", "$SYS/broker/uptime", "-t", "$SYS/broker/version", "-C", "3", "-W", "10", "-v"],
    ]);
    const { code, stdout } = await output(watcher, 15_000);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\$SYS\/broker\/version ternmq version \S+$/m);
    expect(stdout).toMatch(/^\$SYS\/broker\/uptime \d+ seconds$/m);

    broker.kill("SIGINT");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);

  it("exits 0 on SIGTERM within 5 s while a client is still connected", async () => {
    const { broker, port } = await startBroker();
    const subscriber = start("stdbuf", [
      ...["-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", String(port)],
      ...["-d", "-t", "held/#", "-q", "1", "-c", "-i", "held-open"],
    ]);
    await lineOf(subscriber, (line) => line.includes("SUBACK"), 10_000);
    broker.kill("SIGTERM");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);

  it("reads a config file, and flags override it", async () => {
    // The file says port 1 (which -p 0 overrides), host 127.0.0.1 and a 2 s $SYS interval.
    const { broker, started } = await startApp(["-c", "test/fixtures/config.yaml", "-p", "0"]);
    expect(started).toMatchObject({ host: "127.0.0.1", sysInterval: 2 });
    expect(started.port).not.toBe(1);
    broker.kill("SIGTERM");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);

  it("exits 1 with the bad key named when the config file is invalid", async () => {
    const broker = start(process.execPath, [...FROM_SOURCE, "-c", "test/fixtures/bad-config.yaml"]);
    let stderr = "";
    broker.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    expect(await exitOf(broker, 30_000)).toBe(1);
    expect(stderr).toContain("limits.maxInflight");
  }, 60_000);
});

describe("ternmq-broker with a TLS listener", () => {
  let certificates: Certificates;
  beforeAll(() => {
    certificates = makeCertificates();
  }, 30_000);
  afterAll(() => removeCertificates(certificates));

  it("mosquitto_pub --cafile publishes over TLS; SIGHUP logs the certificate reload", async () => {
    const { broker, started } = await startApp([
      ...["-p", "0", "--host", "127.0.0.1", "--memory", "--tls-port", "0"],
      ...["--tls-cert", `${certificates.directory}/server.crt`],
      ...["--tls-key", `${certificates.directory}/server.key`],
    ]);
    const tls = started.listeners.find((listener) => listener.type === "tls");
    expect(tls?.port).toBeGreaterThan(0);
    const common = ["-h", "127.0.0.1", "-p", String(tls?.port), "--cafile", certificates.caFile];
    const subscriber = start("stdbuf", [
      ...["-oL", "mosquitto_sub", ...common, "-d", "-t", "tls/+", "-q", "1"],
      ...["-C", "1", "-W", "10", "-v"],
    ]);
    const subscriberOutput = output(subscriber, 15_000);
    await lineOf(subscriber, (line) => line.includes("SUBACK"), 10_000);
    const publisher = start("mosquitto_pub", [...common, "-t", "tls/a", "-q", "1", "-m", "sealed"]);
    expect(await exitOf(publisher, 10_000)).toBe(0);
    const { code, stdout } = await subscriberOutput;
    expect(code).toBe(0);
    expect(stdout).toContain("tls/a sealed");

    const reloaded = lineOf(
      broker,
      (line) => line.includes('"msg":"certificates reloaded"'),
      5_000,
    );
    broker.kill("SIGHUP");
    await reloaded;
    broker.kill("SIGTERM");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);
});

describe("ternmq-broker passwd and --password-file", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it("passwd FILE USER adds a user from stdin; the broker then checks that password", async () => {
    directory = await mkdtemp(join(tmpdir(), "ternmq-passwd-"));
    const passwordFile = join(directory, "passwords");
    const passwd = spawn(process.execPath, [...FROM_SOURCE, "passwd", passwordFile, "alice"], {
      cwd: appDirectory,
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(passwd);
    passwd.stdin?.end("s3cret\n");
    expect(await exitOf(passwd, 30_000)).toBe(0);
    expect(await readFile(passwordFile, "utf8")).toMatch(/^alice:/m);

    const { broker, started } = await startApp([
      ...["-p", "0", "--host", "127.0.0.1", "--memory", "--password-file", passwordFile],
    ]);
    const common = ["-h", "127.0.0.1", "-p", String(started.port), "-t", "a", "-m", "x"];
    const accepted = start("mosquitto_pub", [...common, "-u", "alice", "-P", "s3cret"]);
    expect(await exitOf(accepted, 10_000)).toBe(0);
    const refused = start("mosquitto_pub", [...common, "-u", "alice", "-P", "wrong"]);
    expect(await exitOf(refused, 10_000)).not.toBe(0);
    broker.kill("SIGTERM");
    expect(await exitOf(broker, 5_000)).toBe(0);
  }, 60_000);
});
