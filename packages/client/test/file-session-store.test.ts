import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSessionStoreConformance } from "@ternmq/session/testing";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileSessionStore } from "../src/index.js";

// The suite compares 256 KiB payloads element by element; give a loaded CI machine room.
vi.setConfig({ testTimeout: 30_000 });

const directories: string[] = [];
async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "ternmq-file-store-"));
  directories.push(directory);
  return directory;
}
afterAll(async () => {
  await Promise.all(
    directories.map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

describeSessionStoreConformance(
  "FileSessionStore",
  async () => FileSessionStore.open(await freshDirectory()),
  { describe, it, beforeEach, afterEach, expect },
  { reopen: (closed) => FileSessionStore.open((closed as FileSessionStore).directory) },
);

describe("FileSessionStore files", () => {
  it("one file per client id, no temporary file left after a commit; a leftover one is ignored", async () => {
    const directory = await freshDirectory();
    const store = await FileSessionStore.open(directory);
    const snapshot = {
      version: 1 as const,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    };
    const record = {
      clientId: "a",
      createdAt: 1,
      updatedAt: 1,
      sessionExpiryInterval: 0,
      subscriptions: [],
      snapshot,
    };
    await Promise.all([store.save(record), store.save({ ...record, clientId: "b".repeat(300) })]);
    await store.close();
    const names = await readdir(directory);
    expect(names).toHaveLength(2);
    expect(names.every((name) => name.endsWith(".session.json"))).toBe(true);
    // A crash between writing the temporary file and the rename leaves it behind.
    await writeFile(join(directory, `${names[0]}.tmp`), "{ torn");
    const reopened = await FileSessionStore.open(directory);
    expect((await reopened.load("a"))?.clientId).toBe("a");
    expect((await reopened.load("b".repeat(300)))?.clientId).toBe("b".repeat(300));
    await reopened.close();
    expect(await readdir(directory)).toHaveLength(2);
  });

  it("a file that is not JSON makes open reject with MQTT_ERR_STORE_CORRUPT", async () => {
    const directory = await freshDirectory();
    await writeFile(join(directory, "sabc.session.json"), "not json");
    const error = await FileSessionStore.open(directory).catch(
      (reason: { code?: string }) => reason,
    );
    expect((error as { code?: string }).code).toBe("MQTT_ERR_STORE_CORRUPT");
  });
});
