/**
 * FileSessionStore: a durable `SessionStore` in a directory, one file per client id. Node
 * only (node:fs); exported by the Node entry, never by the browser one.
 *
 * Design: the live state is a `MemorySessionStore` (the reference implementation of the
 * contract: validation, call order, isolation); this class adds durability. Every write is
 * applied to memory when called, marks its client id dirty and resolves only once the
 * client's file has been rewritten. Writes are group-committed: all client ids changed in
 * one event-loop turn are written together by one commit (per file: write a temporary
 * file, fsync it, rename it over the old one; then one fsync of the directory), so a crash
 * leaves every file either old or new, never torn. Commits run one after the other. A
 * client's file is its whole `SessionRecord` as JSON, bytes as `{ "$bytes": base64 }`; the
 * client's inflight window is small, so rewriting it whole stays cheap. File names are the
 * hex of the client id's UTF-16 code units (exact for any string), or a SHA-256 of that
 * for long ids; the id itself is inside the file.
 *
 * Failure: if a commit fails (disk full, permissions), the writes of that commit reject
 * with MQTT_ERR_STORE_IO or MQTT_ERR_STORE_FULL; the memory state already has them, so the
 * store stays usable but is ahead of the disk until the next successful commit of that
 * client id (the contract's "a rejected write changed nothing" holds for the disk only).
 */
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  MemorySessionStore,
  type SessionChanges,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from "@ternmq/session";

const SUFFIX = ".session.json";
const TEMP_SUFFIX = ".tmp";
/** Longest hex name kept as is (file names are limited to 255 bytes). */
const MAX_HEX_NAME = 200;

export interface FileSessionStoreOptions {
  /** fsync files and the directory on commit. Default true; false trades safety for speed. */
  fsync?: boolean;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

function fileNameOf(clientId: string): string {
  let hex = "";
  for (let index = 0; index < clientId.length; index++) {
    hex += clientId.charCodeAt(index).toString(16).padStart(4, "0");
  }
  if (hex.length > MAX_HEX_NAME) hex = `h${createHash("sha256").update(hex).digest("hex")}`;
  return `s${hex}${SUFFIX}`;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return {
      $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"),
    };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const bytes = (value as { $bytes?: unknown }).$bytes;
    if (typeof bytes === "string" && Object.keys(value).length === 1) {
      return new Uint8Array(Buffer.from(bytes, "base64"));
    }
  }
  return value;
}

function ioError(file: string, cause: unknown): StoreError {
  const code = (cause as { code?: unknown }).code;
  const full = code === "ENOSPC" || code === "EDQUOT";
  return new StoreError(
    full ? "MQTT_ERR_STORE_FULL" : "MQTT_ERR_STORE_IO",
    `FileSessionStore: ${file}: ${String((cause as Error).message ?? cause)}`,
    { file, cause },
  );
}

export class FileSessionStore implements SessionStore {
  private readonly memory = new MemorySessionStore();
  private state: "open" | "closed" = "open";
  private dirty = new Set<string>();
  private waiters: Waiter[] = [];
  private commitScheduled = false;
  /** The commit running now (commits are serial). */
  private committing: Promise<void> = Promise.resolve();
  private readonly fsync: boolean;

  private constructor(
    /** The directory holding the session files. */
    readonly directory: string,
    options: FileSessionStoreOptions,
  ) {
    this.fsync = options.fsync ?? true;
  }

  /**
   * Opens (creating if needed) the store in `directory` and reads every session in it.
   * Rejects with MQTT_ERR_STORE_CORRUPT for a file that is not a session record,
   * MQTT_ERR_STORE_SNAPSHOT_VERSION for one of another snapshot version, MQTT_ERR_STORE_IO.
   */
  static async open(
    directory: string,
    options: FileSessionStoreOptions = {},
  ): Promise<FileSessionStore> {
    const store = new FileSessionStore(directory, options);
    let names: string[];
    try {
      await mkdir(directory, { recursive: true });
      names = await readdir(directory);
    } catch (error) {
      throw ioError(directory, error);
    }
    for (const name of names) {
      const file = join(directory, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        // A commit that crashed before its rename: the previous file is the valid one.
        await unlink(file).catch(() => {});
        continue;
      }
      if (!name.endsWith(SUFFIX)) continue;
      let record: SessionRecord;
      try {
        record = JSON.parse(await readFile(file, "utf8"), reviver) as SessionRecord;
      } catch (error) {
        throw new StoreError("MQTT_ERR_STORE_CORRUPT", `FileSessionStore: ${file} is not JSON`, {
          file,
          cause: error,
        });
      }
      if (typeof record?.clientId !== "string" || typeof record.snapshot !== "object") {
        throw new StoreError("MQTT_ERR_STORE_CORRUPT", `FileSessionStore: ${file} is no session`, {
          file,
        });
      }
      await store.memory.save(record);
    }
    return store;
  }

  load(clientId: string): Promise<SessionRecord | undefined> {
    return this.memory.load(clientId);
  }

  save(record: SessionRecord): Promise<void> {
    return this.commitAfter(this.memory.save(record), record.clientId);
  }

  update(clientId: string, changes: SessionChanges): Promise<void> {
    return this.commitAfter(this.memory.update(clientId, changes), clientId);
  }

  delete(clientId: string): Promise<void> {
    return this.commitAfter(this.memory.delete(clientId), clientId);
  }

  clientIds(): AsyncIterable<string> {
    return this.memory.clientIds();
  }

  /** Waits until every write called before it is on disk, then closes. Idempotent. */
  async close(): Promise<void> {
    if (this.state === "closed") {
      await this.committing;
      return;
    }
    this.state = "closed";
    if (this.dirty.size > 0) await this.commit();
    await this.committing;
    await this.memory.close();
  }

  /**
   * `applied` is the memory store's promise: it settles at once (its effect was applied when
   * called, or it rejected with nothing applied). On success, wait for the commit.
   */
  private commitAfter(applied: Promise<void>, clientId: string): Promise<void> {
    if (this.state === "closed") return applied; // rejects with MQTT_ERR_STORE_CLOSED
    this.dirty.add(clientId);
    const durable = new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
    durable.catch(() => {}); // observed through the returned chain when `applied` succeeds
    this.scheduleCommit();
    // A rejected change marked its id dirty for nothing: rewriting the same state is harmless.
    return applied.then(() => durable);
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      if (this.dirty.size > 0) void this.commit();
    });
  }

  /** Writes every dirty client id (after the running commit), settling their waiters. */
  private commit(): Promise<void> {
    const ids = this.dirty;
    const waiters = this.waiters;
    this.dirty = new Set();
    this.waiters = [];
    // Snapshot the records now: later writes belong to the next commit.
    const records = new Map<string, Promise<SessionRecord | undefined>>();
    for (const clientId of ids) records.set(clientId, this.memory.load(clientId));
    const run = this.committing.then(async () => {
      try {
        for (const [clientId, record] of records) await this.writeFile(clientId, await record);
        if (this.fsync) await this.syncDirectory();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
        return;
      }
      for (const waiter of waiters) waiter.resolve();
    });
    this.committing = run;
    return run;
  }

  private async writeFile(clientId: string, record: SessionRecord | undefined): Promise<void> {
    const file = join(this.directory, fileNameOf(clientId));
    if (record === undefined) {
      try {
        await unlink(file);
      } catch (error) {
        if ((error as { code?: unknown }).code !== "ENOENT") throw ioError(file, error);
      }
      return;
    }
    const temporary = file + TEMP_SUFFIX;
    try {
      const handle = await open(temporary, "w");
      try {
        await handle.writeFile(JSON.stringify(record, replacer), "utf8");
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      throw ioError(file, error);
    }
  }

  private async syncDirectory(): Promise<void> {
    const handle = await open(this.directory, "r");
    try {
      await handle.sync();
    } catch (error) {
      throw ioError(this.directory, error);
    } finally {
      await handle.close();
    }
  }
}
