import type { RetainedStore, SessionStore } from "@ternmq/session";
import {
  describeRetainedStoreConformance,
  describeSessionStoreConformance,
} from "@ternmq/session/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteStore, SqliteStoreOptions } from "../src/index.js";
import { TempStores } from "./temp-store.js";

// A longer timeout than vitest's 5 s: the suite's deep comparison of a 256 KiB payload alone
// takes seconds on a loaded 2-core machine (the memory store's run pays it too).
const testApi = {
  describe,
  it: (name: string, body: () => Promise<void>) => it(name, body, 30_000),
  beforeEach,
  afterEach,
  expect,
};
const temp = new TempStores();
afterEach(() => temp.cleanUp());

/** The SqliteStore each store handed to the suites belongs to, to reopen its folder. */
const owners = new WeakMap<SessionStore | RetainedStore, SqliteStore>();

function openFor<Part extends "sessions" | "retained">(
  part: Part,
  options: Partial<SqliteStoreOptions>,
): SqliteStore[Part] {
  const store = temp.open(options);
  owners.set(store[part], store);
  return store[part];
}

async function reopenFor<Part extends "sessions" | "retained">(
  part: Part,
  options: Partial<SqliteStoreOptions>,
  closed: SqliteStore[Part],
): Promise<SqliteStore[Part]> {
  const owner = owners.get(closed);
  if (owner === undefined) throw new Error("store not opened by this test file");
  const store = await temp.reopen(owner, options);
  owners.set(store[part], store);
  return store[part];
}

const variants: Partial<SqliteStoreOptions>[] = [
  { durability: "fsync", commitWindowMs: 0 },
  { durability: "relaxed", commitWindowMs: 2 },
];

for (const options of variants) {
  describe(`${options.durability}, commitWindowMs ${options.commitWindowMs}`, () => {
    describeSessionStoreConformance(
      "SqliteStore sessions",
      () => openFor("sessions", options),
      testApi,
      { reopen: (closed) => reopenFor("sessions", options, closed) },
    );
    describeRetainedStoreConformance(
      "SqliteStore retained",
      () => openFor("retained", options),
      testApi,
      { reopen: (closed) => reopenFor("retained", options, closed) },
    );
  });
}
