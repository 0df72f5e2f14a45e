/**
 * Starts a real mosquitto broker (Debian's `/usr/sbin/mosquitto`, installed by .ci/run) on an
 * OS-assigned port for one test, so that TernMQ peers can be checked against the reference
 * broker as well as against our own.
 *
 * Usage:
 *   let mosquitto: RunningMosquitto;
 *   beforeEach(async () => { mosquitto = await startMosquitto(); });
 *   afterEach(() => mosquitto.close());
 *
 * mosquitto cannot be told to pick a port and report it, so a free port is found by binding a
 * throwaway server to port 0 and closing it; the small window in which another process could
 * take the port is accepted (a collision fails the start readably, it never hangs).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sleep } from "./with-timeout.js";

export const mosquittoBinary = "/usr/sbin/mosquitto";

export interface MosquittoOptions {
  /**
   * User names and passwords. When given, anonymous clients are refused and these are the only
   * accepted credentials (a password file written with `mosquitto_passwd`).
   */
  readonly users?: Readonly<Record<string, string>>;
}

export interface RunningMosquitto {
  readonly port: number;
  /** `mqtt://127.0.0.1:PORT`, for MQTT.js. */
  readonly url: string;
  /** What mosquitto has logged so far (for failure messages). */
  readonly log: () => string;
  /** SIGKILLs mosquitto (if still running), waits for it to exit and removes its config. */
  close(): Promise<void>;
}

const startTimeoutMs = 4000;

/** Starts mosquitto on 127.0.0.1 without persistence; anonymous unless `users` are given. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const port = await findFreePort();
  const folder = await mkdtemp(join(tmpdir(), "ternmq-mosquitto-"));
  const configPath = join(folder, "mosquitto.conf");
  const access =
    options.users === undefined
      ? ["allow_anonymous true"]
      : [
          "allow_anonymous false",
          `password_file ${await writePasswordFile(folder, options.users)}`,
        ];
  await writeFile(
    configPath,
    [
      `listener ${port} 127.0.0.1`,
      ...access,
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "",
    ].join("\n"),
  );
  const child = spawn(mosquittoBinary, ["-c", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.on("error", (error) => {
    output += String(error);
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const close = async () => {
    if (isRunning(child)) child.kill("SIGKILL");
    await exited;
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitUntilAccepting(port, child, () => output);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, url: `mqtt://127.0.0.1:${port}`, log: () => output, close };
}

/** Writes a mosquitto password file (hashed by `mosquitto_passwd -b`) into `folder`. */
async function writePasswordFile(
  folder: string,
  users: Readonly<Record<string, string>>,
): Promise<string> {
  const path = join(folder, "passwords");
  await writeFile(path, "");
  // Started as root, mosquitto reads the password file after dropping to its own user.
  await chmod(folder, 0o755);
  for (const [user, password] of Object.entries(users)) {
    await promisify(execFile)("mosquitto_passwd", ["-b", path, user, password], { timeout: 4000 });
  }
  await chmod(path, 0o644);
  return path;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** A port that was free a moment ago: bind port 0, read the port, close. */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port assigned");
  return address.port;
}

/** Polls a TCP connect to `port` until it succeeds, the process dies, or the start times out. */
async function waitUntilAccepting(
  port: number,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (!isRunning(child)) {
      throw new Error(`mosquitto exited ${child.exitCode ?? child.signalCode}: ${output()}`);
    }
    if (await accepts(port)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `mosquitto did not accept on port ${port} within ${startTimeoutMs} ms: ${output()}`,
      );
    }
    await sleep(25);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
