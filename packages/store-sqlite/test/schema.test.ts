/**
 * Schema versioning: the migration path runs in order, each step atomically, and a file
 * migrated by a newer release is refused by an older one.
 */
import { join } from "node:path";
import { StoreError } from "@ternmq/session";
import Sqlite, { type Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME, SCHEMA_VERSION, TERNMQ_APPLICATION_ID } from "../src/index.js";
import { openDatabase } from "../src/open-database.js";
import { resolveOptions } from "../src/options.js";
import { MIGRATIONS, type Migration } from "../src/schema.js";
import { TempStores } from "./temp-store.js";

const temp = new TempStores();
const databases: Database[] = [];
afterEach(async () => {
  for (const database of databases.splice(0)) database.close();
  await temp.cleanUp();
});

/** A made-up version 2: retained messages get a `source` column, filled for existing rows. */
const fakeVersion2: Migration = {
  version: 2,
  description: "retained.source (test only)",
  up(database) {
    database.exec("ALTER TABLE retained ADD COLUMN source TEXT NOT NULL DEFAULT 'unknown'");
    database.exec("UPDATE retained SET source = 'migrated'");
  },
};

function open(directory: string, migrations: readonly Migration[]): Database {
  const file = join(directory, DATABASE_FILE_NAME);
  const database = openDatabase(file, resolveOptions({ directory }), migrations);
  databases.push(database);
  return database;
}

function close(database: Database): void {
  databases.splice(databases.indexOf(database), 1);
  database.close();
}

describe("schema versioning", () => {
  it("a new file is marked as TernMQ's and at the current version, with its history", () => {
    const database = open(temp.directory(), MIGRATIONS);
    expect(database.pragma("application_id", { simple: true })).toBe(TERNMQ_APPLICATION_ID);
    expect(database.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(database.prepare("SELECT version FROM migrations").pluck().all()).toStrictEqual([1]);
  });

  it("a version 1 file is migrated to version 2 by a release that knows version 2, data kept", async () => {
    const store = temp.open();
    await store.retained.set({
      topic: "a/b",
      payload: Uint8Array.of(1),
      qos: 1,
      retain: true,
      receivedAt: 5,
    });
    await store.close();
    const directory = join(store.path, "..");
    const database = open(directory, [...MIGRATIONS, fakeVersion2]);
    expect(database.pragma("user_version", { simple: true })).toBe(2);
    expect(database.prepare("SELECT topic, source FROM retained").all()).toStrictEqual([
      { topic: "a/b", source: "migrated" },
    ]);
    expect(database.prepare("SELECT version FROM migrations").pluck().all()).toStrictEqual([1, 2]);
    close(database);
    // This release (version 1) must not open what version 2 wrote.
    let code: string | undefined;
    try {
      temp.open({ directory });
    } catch (error) {
      code = StoreError.isStoreError(error) ? error.code : String(error);
    }
    expect(code).toBe("MQTT_ERR_STORE_SCHEMA_VERSION");
  });

  it("a failing migration leaves the file at the version before it, untouched", async () => {
    const store = temp.open();
    await store.close();
    const directory = join(store.path, "..");
    const failing: Migration = {
      version: 2,
      description: "fails half-way (test only)",
      up(database) {
        database.exec("CREATE TABLE half_done (x)");
        throw new Error("migration bug");
      },
    };
    expect(() => open(directory, [...MIGRATIONS, failing])).toThrow();
    const database = open(directory, MIGRATIONS);
    expect(database.pragma("user_version", { simple: true })).toBe(1);
    const tables = database
      .prepare("SELECT name FROM sqlite_schema WHERE name = 'half_done'")
      .pluck()
      .all();
    expect(tables).toStrictEqual([]);
  });

  it("a migration path with a gap refuses to open, with a TypeError as cause", () => {
    const skipping: Migration = { ...fakeVersion2, version: 3 };
    let cause: unknown;
    try {
      open(temp.directory(), [...MIGRATIONS, skipping]);
    } catch (error) {
      cause = StoreError.isStoreError(error) ? error.cause : error;
    }
    expect(cause instanceof TypeError).toBe(true);
  });

  it("a raw SQLite connection sees the TernMQ mark (for tools inspecting a data folder)", async () => {
    const store = temp.open();
    await store.close();
    const raw = new Sqlite(store.path, { readonly: true });
    databases.push(raw);
    expect(raw.pragma("application_id", { simple: true })).toBe(TERNMQ_APPLICATION_ID);
  });
});
