/**
 * The open/closed state of one of the two stores (sessions, retained) of a `SqliteStore`.
 *
 * Design: both stores share one connection. Closing one store commits the pending batch
 * (its writes are durable when `close()` resolves) and stops that store; the connection
 * closes once both stores are closed. So a broker may close `sessions` and `retained`
 * separately, or the `SqliteStore` at once, and the file lock is released exactly once.
 *
 *   open --close()--> closing (pending writes commit) --> closed
 */
import { StoreError } from "@ternmq/session";

/** The shared connection as a handle sees it. */
export interface SharedConnection {
  readonly file: string;
  /** Commits pending writes; when the last store is released, closes the file. */
  release(): Promise<void>;
}

export class StoreHandle {
  private state: "open" | "closing" | "closed" = "open";
  private closing: Promise<void> | undefined;

  constructor(
    private readonly storeName: string,
    private readonly connection: SharedConnection,
  ) {}

  /** Throws: StoreError `MQTT_ERR_STORE_CLOSED` once `close()` was called. */
  assertOpen(): void {
    if (this.state !== "open") {
      throw new StoreError(
        "MQTT_ERR_STORE_CLOSED",
        `${this.storeName} of ${this.connection.file} is closed`,
        { file: this.connection.file },
      );
    }
  }

  /** Idempotent: every call returns the promise of the first. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.state = "closing";
      this.closing = this.connection.release().finally(() => {
        this.state = "closed";
      });
    }
    return this.closing;
  }

  /** Lets other work of the event loop run between pages of a long read. */
  yieldToEventLoop(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}
