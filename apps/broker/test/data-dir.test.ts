/**
 * The app on a data folder it cannot use: locked by another broker, written by a newer
 * schema, a SQLite file that is not TernMQ's, a damaged file, a path that is not a folder, no
 * room to write. Each one stops the app before it listens, with exit code 1 and ONE line on
 * stderr that names the database file and the cause (the StoreError code). A write that
 * fails while running stops the broker, acknowledges nothing more, and exits 1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RawClient } from "../../../tests/src/helpers/raw-client.js";

const appDirectory = fileURLToPath(new URL("..", import.meta.url));
const FROM_SOURCE = ["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"];
const children: ChildProcess[] = [];
const clients: RawClient[] = [];

interface AppRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Exit code or signal name. */
  exited: Promise<number | string>;
}

/** Starts the app on 127.0.0.1, port 0, `--data-dir dataDir`, optionally under `prlimit`. */
function startApp(dataDir: string, options: { maxFileBytes?: number } = {}): AppRun {
  const args = [
    ...FROM_SOURCE,
    ...["-p", "0", "--host", "127.0.0.1", "--sys-interval", "0", "--data-dir", dataDir],
  ];
  const child =
    options.maxFileBytes === undefined
      ? spawn(process.execPath, args, { cwd: appDirectory, stdio: ["ignore", "pipe", "pipe"] })
      : spawn("prlimit", [`--fsize=${options.maxFileBytes}`, process.execPath, ...args], {
          cwd: appDirectory,
          stdio: ["ignore", "pipe", "pipe"],
        });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", (code, signal) => resolve(code ?? String(signal)));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the app's port once it logged "ternmq-broker started". */
async function started(app: AppRun): Promise<number> {
  for (;;) {
    const line = app
      .stdout()
      .split("\n")
      .find((text) => text.includes('"msg":"ternmq-broker started"'));
    if (line !== undefined) return (JSON.parse(line) as { port: number }).port;
    const exit = await Promise.race([
      app.exited,
      new Promise<undefined>((resolve) => app.child.stdout?.once("data", () => resolve(undefined))),
    ]);
    if (exit !== undefined) throw new Error(`exited ${exit} before starting: ${app.stderr()}`);
  }
}

/** Runs the app until it exits; it must fail at start, before binding a listener. */
async function expectStartFailure(
  dataDir: string,
  options: { maxFileBytes?: number } = {},
): Promise<string> {
  const app = startApp(dataDir, options);
  expect(await app.exited).toBe(1);
  expect(app.stdout()).not.toContain('"msg":"listening"');
  const lines = app.stderr().trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
}

/** A data folder holding a valid, closed TernMQ store (the app started and stopped on it). */
async function createStore(dataDir: string): Promise<string> {
  const app = startApp(dataDir);
  await started(app);
  app.child.kill("SIGTERM");
  expect(await app.exited).toBe(0);
  return join(dataDir, "ternmq.db");
}

/** Overwrites 4 bytes of the SQLite header (big-endian), as another program could have. */
async function patchHeader(file: string, offset: number, value: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value, 0);
    await handle.write(bytes, 0, 4, offset);
  } finally {
    await handle.close();
  }
}

/** SQLite header offsets: `PRAGMA user_version` (schema version) and `application_id`. */
const USER_VERSION_OFFSET = 60;
const APPLICATION_ID_OFFSET = 68;

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "ternmq-data-dir-"));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await rm(folder, { recursive: true, force: true });
});

describe("ternmq-broker on a data folder it cannot use", () => {
  it("refuses a folder another broker has open (MQTT_ERR_STORE_LOCKED) and leaves that one running", async () => {
    const dataDir = join(folder, "data");
    const first = startApp(dataDir);
    await started(first);
    const line = await expectStartFailure(dataDir);
    expect(line).toContain(join(dataDir, "ternmq.db"));
    expect(line).toContain("MQTT_ERR_STORE_LOCKED");
    expect(first.child.exitCode).toBeNull();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 60_000);

  it("refuses a store written by a newer schema version (MQTT_ERR_STORE_SCHEMA_VERSION), unchanged", async () => {
    const dataDir = join(folder, "data");
    const file = await createStore(dataDir);
    await patchHeader(file, USER_VERSION_OFFSET, 99);
    const line = await expectStartFailure(dataDir);
    expect(line).toContain(file);
    expect(line).toContain("MQTT_ERR_STORE_SCHEMA_VERSION");
    // Refused, not migrated or rewritten: a second start gives the same answer.
    expect(await expectStartFailure(dataDir)).toContain("MQTT_ERR_STORE_SCHEMA_VERSION");
  }, 60_000);

  it("refuses a SQLite file of another application (MQTT_ERR_STORE_NOT_TERNMQ)", async () => {
    const dataDir = join(folder, "data");
    const file = await createStore(dataDir);
    await patchHeader(file, APPLICATION_ID_OFFSET, 0x12345678);
    const line = await expectStartFailure(dataDir);
    expect(line).toContain(file);
    expect(line).toContain("MQTT_ERR_STORE_NOT_TERNMQ");
  }, 60_000);

  it("refuses a file that is not a database at all (MQTT_ERR_STORE_CORRUPT)", async () => {
    const dataDir = join(folder, "data");
    const file = await createStore(dataDir);
    await writeFile(file, Buffer.alloc(8192, 0x5a));
    const line = await expectStartFailure(dataDir);
    expect(line).toContain(file);
    expect(line).toContain("MQTT_ERR_STORE_CORRUPT");
  }, 60_000);

  it("refuses a store whose pages after the header are damaged (MQTT_ERR_STORE_CORRUPT)", async () => {
    const dataDir = join(folder, "data");
    const file = await createStore(dataDir);
    const handle = await open(file, "r+");
    try {
      // Page 1 keeps its header; the schema table on it and every page after are garbage.
      await handle.write(Buffer.alloc(32_768, 0xa5), 0, 32_768, 100);
    } finally {
      await handle.close();
    }
    const line = await expectStartFailure(dataDir);
    expect(line).toContain(file);
    expect(line).toContain("MQTT_ERR_STORE_CORRUPT");
  }, 60_000);

  it("refuses a --data-dir that is a file, not a folder (MQTT_ERR_STORE_IO)", async () => {
    const notAFolder = join(folder, "plain-file");
    await writeFile(notAFolder, "not a folder");
    const line = await expectStartFailure(notAFolder);
    expect(line).toContain(join(notAFolder, "ternmq.db"));
    expect(line).toContain("MQTT_ERR_STORE_IO");
  }, 60_000);

  it("refuses to start when the new store cannot be written (no room: file size limit 0)", async () => {
    const dataDir = join(folder, "data");
    const line = await expectStartFailure(dataDir, { maxFileBytes: 0 });
    expect(line).toContain(join(dataDir, "ternmq.db"));
    expect(line).toMatch(/MQTT_ERR_STORE_(FULL|IO)/);
  }, 60_000);
});

describe("ternmq-broker when a store write fails while running", () => {
  it("stops, acknowledges nothing it could not store, and exits 1", async () => {
    const dataDir = join(folder, "data");
    // Room for the empty store and its first commits, not for many 64 KiB messages.
    const app = startApp(dataDir, { maxFileBytes: 512 * 1024 });
    const port = await started(app);
    const client = await RawClient.connect(port);
    clients.push(client);
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "filler",
      clean: true,
      keepalive: 0,
    });
    await client.expectPacket("connack", 10_000);
    const payload = new Uint8Array(64 * 1024).fill(0x61);
    let acknowledged = 0;
    for (let packetId = 1; packetId <= 64 && !client.closed; packetId += 1) {
      client.send({
        type: "publish",
        topic: `fill/${packetId}`,
        payload,
        qos: 1,
        retain: true,
        dup: false,
        packetId,
      });
      const answer = await client.nextPacket(10_000).catch(() => undefined);
      if (answer?.type !== "puback") break;
      acknowledged += 1;
    }
    expect(await app.exited).toBe(1);
    // Some messages fitted, the one that did not was not acknowledged, and the connection
    // was closed by the broker's fail-stop.
    expect(acknowledged).toBeGreaterThan(0);
    expect(acknowledged).toBeLessThan(64);
    expect(client.closed).toBe(true);
    expect(app.stdout()).toContain("store write failed");
    expect(app.stdout()).toContain(join(dataDir, "ternmq.db"));
  }, 60_000);
});
