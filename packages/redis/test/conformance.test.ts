import type { RetainedStore, SessionStore } from "@ternmq/session";
import {
  describeRetainedStoreConformance,
  describeSessionStoreConformance,
} from "@ternmq/session/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RedisStores } from "../src/index.js";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";
import { TestStores } from "./open-stores.js";

// A longer timeout than vitest's 5 s: the suite's deep comparison of a 256 KiB payload alone
// takes seconds on a loaded 2-core machine.
const testApi = {
  describe,
  it: (name: string, body: () => Promise<void>) => it(name, body, 30_000),
  beforeEach,
  afterEach,
  expect,
};

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.close());
const stores = new TestStores(() => server.url);
afterEach(() => stores.closeAll());

/** The RedisStores each store handed to the suites belongs to, to reopen its prefix. */
const owners = new WeakMap<SessionStore | RetainedStore, RedisStores>();

function openFor<Part extends "sessions" | "retained">(
  part: Part,
  keyPrefix?: string,
): RedisStores[Part] {
  const opened = stores.open(keyPrefix);
  owners.set(opened[part], opened);
  return opened[part];
}

async function reopenFor<Part extends "sessions" | "retained">(
  part: Part,
  closed: SessionStore | RetainedStore,
): Promise<RedisStores[Part]> {
  const owner = owners.get(closed);
  if (owner === undefined) throw new Error("store not opened by this test file");
  await owner.close();
  return openFor(part, owner.keyPrefix);
}

describeSessionStoreConformance("RedisSessionStore", () => openFor("sessions"), testApi, {
  reopen: (closed) => reopenFor("sessions", closed),
});
describeRetainedStoreConformance("RedisRetainedStore", () => openFor("retained"), testApi, {
  reopen: (closed) => reopenFor("retained", closed),
});
