/**
 * Stores for the persistence tests: memory stores behind a group-commit front whose commits
 * the test controls.
 *
 * `TestStores` gives a SessionStore and a RetainedStore that, like a durable store, collect
 * the writes of one synchronous stretch into one batch (closed at `setImmediate`) and apply
 * them to the inner memory stores only when the batch commits. So after `crash()` the inner
 * stores hold exactly what was committed, as a file would after `kill -9`. Modes:
 * - "commit": each batch commits when it closes;
 * - "hold": batches wait until `release()` commits them in order;
 * - "fail": each batch rejects with a StoreError (MQTT_ERR_STORE_IO) and applies nothing.
 * Every closed batch is recorded in `batches`. Reads go to the inner stores.
 */
import {
  MemoryRetainedStore,
  MemorySessionStore,
  type RetainedMessage,
  type RetainedStore,
  type SessionChanges,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from "@ternmq/session";

export type CommitMode = "commit" | "hold" | "fail";

/** One write as the test sees it. */
export type WriteRecord =
  | { store: "sessions"; op: "save"; clientId: string }
  | { store: "sessions"; op: "update"; clientId: string; changes: SessionChanges }
  | { store: "sessions"; op: "delete"; clientId: string }
  | { store: "retained"; op: "set" | "delete"; topic: string };

interface PendingWrite {
  readonly record: WriteRecord;
  readonly apply: () => Promise<void>;
  readonly resolve: (value: Promise<void>) => void;
  readonly reject: (error: unknown) => void;
}

export class TestStores {
  mode: CommitMode = "commit";
  /** Every batch closed so far, in commit order. */
  readonly batches: WriteRecord[][] = [];
  readonly sessions: SessionStore;
  readonly retained: RetainedStore;
  private current: PendingWrite[] | undefined;
  private readonly held: PendingWrite[][] = [];
  private crashed = false;
  private readonly closeBatch = (): void => {
    const batch = this.current ?? [];
    this.current = undefined;
    if (this.crashed) return;
    this.batches.push(batch.map((write) => write.record));
    if (this.mode === "hold") this.held.push(batch);
    else this.settle(batch);
  };

  constructor(
    readonly innerSessions = new MemorySessionStore(),
    readonly innerRetained = new MemoryRetainedStore(),
  ) {
    const inner = innerSessions;
    const retained = innerRetained;
    this.sessions = {
      load: (clientId) => inner.load(clientId),
      clientIds: () => inner.clientIds(),
      save: (record: SessionRecord) =>
        this.write({ store: "sessions", op: "save", clientId: record.clientId }, () =>
          inner.save(record),
        ),
      update: (clientId: string, changes: SessionChanges) =>
        this.write({ store: "sessions", op: "update", clientId, changes }, () =>
          inner.update(clientId, changes),
        ),
      delete: (clientId: string) =>
        this.write({ store: "sessions", op: "delete", clientId }, () => inner.delete(clientId)),
      close: () => this.flushed(),
    };
    this.retained = {
      get: (topic) => retained.get(topic),
      match: (filter) => retained.match(filter),
      count: () => retained.count(),
      set: (message: RetainedMessage) =>
        this.write({ store: "retained", op: "set", topic: message.topic }, () =>
          retained.set(message),
        ),
      delete: (topic: string) =>
        this.write({ store: "retained", op: "delete", topic }, () => retained.delete(topic)),
      close: () => this.flushed(),
    };
  }

  /** Commits the held batches in order and goes back to "commit" mode. */
  release(): void {
    this.mode = "commit";
    for (const batch of this.held.splice(0)) this.settle(batch);
  }

  /** The process died: nothing more is committed, pending writes never settle. */
  crash(): void {
    this.crashed = true;
    this.held.length = 0;
  }

  /** The same inner stores behind a fresh front (a restarted broker's view of the files). */
  reopen(): TestStores {
    return new TestStores(this.innerSessions, this.innerRetained);
  }

  /** Batches that contain a write matching `predicate`. */
  batchesWith(predicate: (record: WriteRecord) => boolean): WriteRecord[][] {
    return this.batches.filter((batch) => batch.some(predicate));
  }

  private write(record: WriteRecord, apply: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.current === undefined) {
        this.current = [];
        setImmediate(this.closeBatch);
      }
      this.current.push({ record, apply, resolve, reject });
    });
  }

  private settle(batch: readonly PendingWrite[]): void {
    for (const write of batch) {
      if (this.mode === "fail") {
        write.reject(new StoreError("MQTT_ERR_STORE_IO", "test store: write failed"));
      } else {
        write.resolve(write.apply());
      }
    }
  }

  /** close(): waits for the current batch; the inner stores stay open for a restart. */
  private async flushed(): Promise<void> {
    if (this.current !== undefined && !this.crashed) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
