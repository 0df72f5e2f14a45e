/**
 * Bad data folders: every case opens with a StoreError of its own code, naming the file,
 * and leaves the file as it was.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MqttError } from "@ternmq/codec";
import { StoreError } from "@ternmq/session";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME, openSqliteStore, SCHEMA_VERSION } from "../src/index.js";
import { FixtureProcess } from "./child-process.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
let child: FixtureProcess | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
  await temp.cleanUp();
});

/** The StoreError `open` throws, as { code, file, hasCause } (fails when it does not throw). */
function openFailure(directory: string): { code: string; file: string | undefined } {
  try {
    temp.open({ directory });
  } catch (error) {
    if (!StoreError.isStoreError(error)) throw error;
    return { code: error.code, file: (error as StoreError).file };
  }
  throw new Error("the store opened");
}

function databaseIn(directory: string): string {
  return join(directory, DATABASE_FILE_NAME);
}

/** Writes a SQLite file of another application at `file`. */
function writeForeignDatabase(file: string, setup: string): void {
  const database = new Sqlite(file);
  database.exec(setup);
  database.close();
}

describe("opening a bad data folder", () => {
  it("MQTT_ERR_STORE_IO when the data folder cannot be created (a file is in the way)", () => {
    const parent = temp.directory();
    const blocker = join(parent, "not-a-folder");
    writeFileSync(blocker, "x");
    expect(openFailure(blocker)).toStrictEqual({
      code: "MQTT_ERR_STORE_IO",
      file: databaseIn(blocker),
    });
  });

  it("MQTT_ERR_STORE_CORRUPT for a file that is not a database, left unchanged", () => {
    const directory = temp.directory();
    const garbage = Uint8Array.from({ length: 8192 }, (_, index) => (index * 31) & 0xff);
    writeFileSync(databaseIn(directory), garbage);
    expect(openFailure(directory)).toStrictEqual({
      code: "MQTT_ERR_STORE_CORRUPT",
      file: databaseIn(directory),
    });
    expect(readFileSync(databaseIn(directory)).equals(garbage)).toBe(true);
  });

  it("MQTT_ERR_STORE_CORRUPT from a read of damaged pages, with the SQLite error as cause", async () => {
    const store = temp.open();
    const payload = new Uint8Array(100).fill(1);
    for (let index = 0; index < 2000; index++) {
      void store.retained.set({
        topic: `t/${index}`,
        payload,
        qos: 0,
        retain: true,
        receivedAt: 1,
      });
    }
    await store.close();
    const bytes = readFileSync(store.path);
    bytes.fill(0xff, 4096 * 3);
    writeFileSync(store.path, bytes);
    const damaged = temp.open({ directory: join(store.path, "..") });
    const failure = await (async () => {
      for await (const _message of damaged.retained.match("#")) {
        // reading is what fails
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(StoreError.isStoreError(failure)).toBe(true);
    const storeError = failure as StoreError;
    expect({ code: storeError.code, file: storeError.file }).toStrictEqual({
      code: "MQTT_ERR_STORE_CORRUPT",
      file: store.path,
    });
    expect((storeError.cause as { code?: unknown }).code).toBe("SQLITE_CORRUPT");
  });

  it("MQTT_ERR_STORE_CORRUPT from a load of a stored message that does not decode", async () => {
    const store = temp.open();
    await store.sessions.save({
      clientId: "client",
      createdAt: 1,
      updatedAt: 1,
      sessionExpiryInterval: 60,
      subscriptions: [],
      snapshot: {
        version: 1,
        outbound: {
          inflight: [],
          queued: [{ topic: "a", payload: Uint8Array.of(1), qos: 1, retain: false }],
          nextPacketId: 1,
        },
        inbound: { awaitingPubrel: [] },
      },
    });
    await store.close();
    const raw = new Sqlite(store.path);
    raw.prepare("UPDATE queued SET message = ?").run(Buffer.from([5, 0xff, 0xff]));
    raw.close();
    const damaged = temp.open({ directory: join(store.path, "..") });
    const failure = await damaged.sessions.load("client").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(StoreError.isStoreError(failure) && failure.code).toBe("MQTT_ERR_STORE_CORRUPT");
  });

  it("MQTT_ERR_STORE_NOT_TERNMQ for a SQLite file of another application, left unchanged", () => {
    const directory = temp.directory();
    writeForeignDatabase(databaseIn(directory), "CREATE TABLE notes (text TEXT)");
    const before = readFileSync(databaseIn(directory));
    expect(openFailure(directory)).toStrictEqual({
      code: "MQTT_ERR_STORE_NOT_TERNMQ",
      file: databaseIn(directory),
    });
    expect(readFileSync(databaseIn(directory)).equals(before)).toBe(true);
  });

  it("MQTT_ERR_STORE_NOT_TERNMQ for an empty SQLite file marked with another application id", () => {
    const directory = temp.directory();
    writeForeignDatabase(databaseIn(directory), "PRAGMA application_id = 1179403647");
    expect(openFailure(directory).code).toBe("MQTT_ERR_STORE_NOT_TERNMQ");
  });

  it("MQTT_ERR_STORE_SCHEMA_VERSION for a folder written by a newer schema, left unchanged", async () => {
    const store = temp.open();
    await store.retained.set({
      topic: "kept",
      payload: Uint8Array.of(1),
      qos: 0,
      retain: true,
      receivedAt: 1,
    });
    await store.close();
    const raw = new Sqlite(store.path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = readFileSync(store.path);
    const directory = join(store.path, "..");
    expect(openFailure(directory)).toStrictEqual({
      code: "MQTT_ERR_STORE_SCHEMA_VERSION",
      file: store.path,
    });
    expect(readFileSync(store.path).equals(before)).toBe(true);
  });

  it("a TypeError (not a StoreError) for invalid options", () => {
    const directory = temp.directory();
    expect(() => openSqliteStore({ directory: "" })).toThrow(TypeError);
    expect(() => openSqliteStore({ directory, commitWindowMs: -1 })).toThrow(TypeError);
    expect(() =>
      openSqliteStore({ directory, durability: "sometimes" as unknown as "fsync" }),
    ).toThrow(TypeError);
    expect(() => openSqliteStore({ directory, maxDatabaseBytes: 0 })).toThrow(TypeError);
  });
});

describe("one opener per data folder", () => {
  it("MQTT_ERR_STORE_LOCKED for a second store of the same folder in this process, until the first closes", async () => {
    const first = temp.open();
    const directory = join(first.path, "..");
    expect(openFailure(directory)).toStrictEqual({
      code: "MQTT_ERR_STORE_LOCKED",
      file: first.path,
    });
    await first.sessions.close();
    // The retained store still has the file open.
    expect(openFailure(directory).code).toBe("MQTT_ERR_STORE_LOCKED");
    await first.retained.close();
    const second = temp.open({ directory });
    expect(await second.retained.count()).toBe(0);
  });

  it("MQTT_ERR_STORE_LOCKED in another process while this one has the folder open", async () => {
    const store = temp.open();
    child = new FixtureProcess("open-store.ts", [join(store.path, "..")]);
    await child.exited;
    expect(child.lines).toStrictEqual(["MQTT_ERR_STORE_LOCKED"]);
  });

  it("MQTT_ERR_STORE_LOCKED here while another process has the folder open; opens once it closed", async () => {
    const directory = temp.directory();
    const holder = new FixtureProcess("open-store.ts", [directory]);
    child = holder;
    await holder.waitFor("opened", (lines) => lines.includes("opened"));
    expect(openFailure(directory)).toStrictEqual({
      code: "MQTT_ERR_STORE_LOCKED",
      file: databaseIn(directory),
    });
    holder.endInput();
    expect((await holder.exited).code).toBe(0);
    const store = temp.open({ directory });
    expect(await store.retained.count()).toBe(0);
  });
});

describe("errors", () => {
  it("file-level StoreErrors are TernMQ errors with a stable code", () => {
    const error = new StoreError("MQTT_ERR_STORE_FULL", "/d/ternmq.db: full", {
      file: "/d/ternmq.db",
    });
    expect(MqttError.isInstance(error)).toBe(true);
    expect(StoreError.isStoreError(error)).toBe(true);
    expect(error.file).toBe("/d/ternmq.db");
  });
});
