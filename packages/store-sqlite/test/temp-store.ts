/**
 * Data folders for tests: a fresh temporary folder per test, every store opened in it
 * closed and the folder removed after the test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "../src/index.js";

export class TempStores {
  private readonly directories: string[] = [];
  private readonly stores: SqliteStore[] = [];

  /** A new empty folder that `cleanUp` removes. */
  directory(): string {
    const directory = mkdtempSync(join(tmpdir(), "ternmq-store-sqlite-"));
    this.directories.push(directory);
    return directory;
  }

  /** Opens a store (in a new folder unless `options.directory` is given). */
  open(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
    const store = openSqliteStore({ directory: options.directory ?? this.directory(), ...options });
    this.stores.push(store);
    return store;
  }

  /** Closes `store` (every part of it) and opens its folder again. */
  async reopen(
    store: SqliteStore,
    options: Partial<SqliteStoreOptions> = {},
  ): Promise<SqliteStore> {
    await store.close();
    return this.open({ ...options, directory: dirname(store.path) });
  }

  /** Closes every store and removes every folder; failures of closing are ignored. */
  async cleanUp(): Promise<void> {
    await Promise.allSettled(this.stores.splice(0).map((store) => store.close()));
    for (const directory of this.directories.splice(0)) {
      rmSync(directory, { recursive: true, force: true });
    }
  }
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}
