/**
 * Group commit: every write of one event-loop turn (or of one commit window) runs in ONE
 * SQLite transaction, committed with one fsync, and every write of it settles with it.
 *
 * Design: writes run synchronously, when they are called, inside an open transaction:
 * `begin()` opens one (`BEGIN`) if none is open and schedules its `COMMIT` (setImmediate, or
 * a timer of `commitWindowMs`). Reads run on the same connection, so they see every earlier
 * write, committed or not, which is the store contract's call order. All writes of a batch
 * share one promise (no promise per write). A failed statement or a failed COMMIT rolls
 * the whole transaction back and rejects the batch's promise: nothing of the batch is
 * applied. After a failed statement, the writes called later in the same synchronous
 * stretch (until the next microtask) are refused with the same error: they belong to the
 * work that failed (the awaiting-PUBREL id of a QoS 2 message whose routing failed must not
 * be committed alone). A write called after that starts a new batch. Stores keep caches
 * derived from the database (positions, sequence numbers); `onRollback` listeners drop them
 * so that they are read again from what is really stored.
 *
 * States of one batch:
 *
 *   (none) --begin()--> open --COMMIT ok--> resolved
 *                         |---statement or COMMIT failed: ROLLBACK--> rejected
 */

import type { StoreError } from "@ternmq/session";
import type { Database } from "better-sqlite3";
import { storeErrorFrom } from "./errors.js";

interface Batch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: StoreError) => void;
  /** The scheduled COMMIT: a timer with a commit window, an immediate without. */
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
}

export class GroupCommit {
  private batch: Batch | undefined;
  /** Set from a failed statement to the end of its synchronous stretch (a microtask). */
  private failure: StoreError | undefined;
  private readonly clearFailure = () => {
    this.failure = undefined;
  };
  private readonly rollbackListeners: (() => void)[] = [];
  private readonly commitNow = () => this.commit();

  constructor(
    private readonly database: Database,
    private readonly file: string,
    private readonly commitWindowMs: number,
  ) {}

  /** Registers a cache reset to run after every rollback. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  /**
   * Makes sure a transaction is open for the caller's statements.
   *
   * Returns: the promise of the current batch, resolved once it is committed.
   * Throws: StoreError when the transaction cannot be started, or the error of a statement
   * that failed earlier in this synchronous stretch.
   */
  begin(): Promise<void> {
    if (this.batch !== undefined) return this.batch.promise;
    if (this.failure !== undefined) throw this.failure;
    try {
      this.database.exec("BEGIN");
    } catch (error) {
      throw storeErrorFrom(this.file, "starting a transaction", error);
    }
    let resolve: () => void = noop;
    let reject: (error: StoreError) => void = noop;
    const promise = new Promise<void>((resolvePromise, rejectPromise) => {
      resolve = resolvePromise;
      reject = rejectPromise;
    });
    const batch: Batch = { promise, resolve, reject, timer: undefined };
    batch.timer =
      this.commitWindowMs > 0
        ? setTimeout(this.commitNow, this.commitWindowMs)
        : setImmediate(this.commitNow);
    this.batch = batch;
    return promise;
  }

  /**
   * A statement of the current batch failed: rolls the whole batch back and rejects it.
   *
   * Returns: the batch's (rejected) promise, for the failed call to return.
   */
  abort(action: string, error: unknown): Promise<void> {
    const failure = storeErrorFrom(this.file, action, error);
    if (this.failure === undefined) queueMicrotask(this.clearFailure);
    this.failure = failure;
    const batch = this.batch;
    if (batch === undefined) return Promise.reject(failure);
    this.finish(batch);
    this.rollback();
    batch.reject(failure);
    return batch.promise;
  }

  /**
   * Runs a read; a SQLite error that ended the open transaction (SQLite rolls back by
   * itself after some I/O errors) fails the batch too.
   *
   * Throws: StoreError naming the file and `action`.
   */
  read<Result>(action: string, query: () => Result): Result {
    try {
      return query();
    } catch (error) {
      throw this.readFailed(action, error);
    }
  }

  /** The StoreError for a failed read (see `read`), for callers that catch themselves. */
  readFailed(action: string, error: unknown): StoreError {
    const failure = storeErrorFrom(this.file, action, error);
    if (this.batch !== undefined && !this.database.inTransaction) {
      void this.abort(action, error).catch(noop);
    }
    return failure;
  }

  /** Commits the open batch now, if any, and waits for it. */
  async flush(): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return;
    this.commit();
    await batch.promise;
  }

  private commit(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.finish(batch);
    try {
      this.database.exec("COMMIT");
    } catch (error) {
      this.rollback();
      batch.reject(storeErrorFrom(this.file, "committing", error));
      return;
    }
    batch.resolve();
  }

  private finish(batch: Batch): void {
    this.batch = undefined;
    const timer = batch.timer;
    if (timer === undefined) return;
    if (this.commitWindowMs > 0) clearTimeout(timer as NodeJS.Timeout);
    else clearImmediate(timer as NodeJS.Immediate);
  }

  private rollback(): void {
    // SQLite may already have rolled back by itself (SQLITE_FULL, some I/O errors).
    if (this.database.inTransaction) {
      try {
        this.database.exec("ROLLBACK");
      } catch {
        // The transaction is gone either way; the connection stays usable.
      }
    }
    for (const listener of this.rollbackListeners) listener();
  }
}

function noop(): void {}
