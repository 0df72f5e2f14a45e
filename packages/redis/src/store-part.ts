/**
 * The open/closed state of one part (sessions, retained, cluster data) of a `RedisStores`,
 * and the connection the parts share.
 *
 * Design: the parts share one ioredis connection and one write batcher, so the writes of one
 * turn by all of them are one atomic Redis call. Closing a part sends the pending batch and
 * waits until every write called before is answered (durable when resolved), then stops that
 * part; the connection is closed once every part is closed. So a broker may close `sessions`
 * and `retained` separately while the cluster bus still uses `data`.
 *
 *   open --close()--> closing (pending writes answered) --> closed
 */
import { StoreError } from "@ternmq/session";
import type { ScriptedRedis, WriteBatcher } from "./batch.js";
import type { StoreKeys } from "./keys.js";

/** What the parts share. */
export interface SharedConnection {
  readonly redis: ScriptedRedis;
  readonly batcher: WriteBatcher;
  readonly keys: StoreKeys;
  /** Names the Redis server in error messages (its URL without credentials). */
  readonly where: string;
  /** Waits for pending writes; closes the connection when the last part is released. */
  release(): Promise<void>;
}

export class StorePart {
  private state: "open" | "closing" | "closed" = "open";
  private closing: Promise<void> | undefined;

  constructor(
    private readonly partName: string,
    readonly connection: SharedConnection,
  ) {}

  /** Throws: StoreError `MQTT_ERR_STORE_CLOSED` once `close()` was called. */
  assertOpen(): void {
    if (this.state !== "open") {
      throw new StoreError(
        "MQTT_ERR_STORE_CLOSED",
        `${this.partName} on ${this.connection.where} is closed`,
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
}
