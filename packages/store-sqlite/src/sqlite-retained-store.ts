/**
 * `RetainedStore` on the SQLite file of a `SqliteStore`.
 *
 * Design: one row per topic in a table clustered by topic (schema.ts); the message BLOB is
 * encoded without its topic (message-codec.ts). Writes run in the shared group-commit
 * transaction, so a retained set and the session updates of the same PUBLISH commit
 * together. `match` reads pages of `RETAINED_PAGE_SIZE` rows in topic order from the key
 * range the filter allows (topic-range.ts), continuing after the last topic read (keyset
 * paging, so a row that exists for the whole iteration is read exactly once) and yields to
 * the event loop between pages: a `#` over a million messages never blocks the broker for
 * more than one page. `count` reads the counter the schema's triggers keep.
 */
import { type RetainedMessage, type RetainedStore, StoreError } from "@ternmq/session";
import { matchesFilter } from "@ternmq/topics";
import type { Database } from "better-sqlite3";
import type { GroupCommit } from "./group-commit.js";
import { decodeMessage, encodeMessage } from "./message-codec.js";
import type { StoreHandle } from "./store-handle.js";
import { topicRangeOf } from "./topic-range.js";

/** Rows read per query by `match`; the event loop runs between two pages. */
export const RETAINED_PAGE_SIZE = 1000;

/** A `retained` row as read: topic, received_at, message. */
type RetainedRow = [string, number, Uint8Array];

export class SqliteRetainedStore implements RetainedStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(
    database: Database,
    private readonly commits: GroupCommit,
    private readonly handle: StoreHandle,
  ) {
    this.statements = prepareStatements(database);
  }

  set(message: RetainedMessage): Promise<void> {
    try {
      this.handle.assertOpen();
      // [MQTT-3.3.1-10] [MQTT-3.3.1-11] a zero-byte retained message clears and is not stored.
      if (message.payload.length === 0) return this.delete(message.topic);
      let blob: Uint8Array;
      try {
        blob = encodeMessage(message, "");
      } catch (error) {
        throw new StoreError(
          "MQTT_ERR_STORE_INVALID_CHANGE",
          `retained message of "${String(message.topic)}" cannot be stored`,
          { cause: error },
        );
      }
      const batch = this.commits.begin();
      try {
        // [MQTT-3.3.1-5] the new message replaces any retained message of the same topic.
        this.statements.upsert.run(message.topic, message.receivedAt, blob);
      } catch (error) {
        return this.commits.abort(`storing the retained message of "${message.topic}"`, error);
      }
      return batch;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(topic: string): Promise<void> {
    try {
      this.handle.assertOpen();
      const batch = this.commits.begin();
      try {
        this.statements.delete.run(topic);
      } catch (error) {
        return this.commits.abort(`deleting the retained message of "${topic}"`, error);
      }
      return batch;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async get(topic: string): Promise<RetainedMessage | undefined> {
    this.handle.assertOpen();
    return this.commits.read("reading a retained message", () => {
      const row = this.statements.get.get(topic) as RetainedRow | undefined;
      return row === undefined ? undefined : toRetained(row);
    });
  }

  async *match(filter: string): AsyncIterable<RetainedMessage> {
    this.handle.assertOpen();
    const range = topicRangeOf(filter);
    if (range.kind === "exact") {
      const message = await this.get(range.topic);
      if (message !== undefined && matchesFilter(filter, message.topic)) yield message;
      return;
    }
    const { statements } = this;
    /** The next page of rows after `after`, and its matches decoded. */
    const readPage = (after: string | undefined) =>
      this.commits.read("matching retained messages", () => {
        let rows: RetainedRow[];
        if (range.kind === "all") {
          rows = (
            after === undefined
              ? statements.firstPage.all(RETAINED_PAGE_SIZE)
              : statements.nextPage.all(after, RETAINED_PAGE_SIZE)
          ) as RetainedRow[];
        } else {
          rows = (
            after === undefined
              ? statements.firstRangePage.all(range.from, range.to, RETAINED_PAGE_SIZE)
              : statements.nextRangePage.all(after, range.to, RETAINED_PAGE_SIZE)
          ) as RetainedRow[];
        }
        const matches: RetainedMessage[] = [];
        for (const row of rows) if (matchesFilter(filter, row[0])) matches.push(toRetained(row));
        return {
          matches,
          last: rows.length === RETAINED_PAGE_SIZE ? rows[rows.length - 1] : undefined,
        };
      });
    let page = readPage(undefined);
    for (;;) {
      for (const message of page.matches) {
        yield message;
        this.handle.assertOpen();
      }
      if (page.last === undefined) return;
      await this.handle.yieldToEventLoop();
      this.handle.assertOpen();
      page = readPage(page.last[0]);
    }
  }

  async count(): Promise<number> {
    this.handle.assertOpen();
    return this.commits.read("counting retained messages", () =>
      this.statements.count.get(),
    ) as number;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function toRetained([topic, receivedAt, blob]: RetainedRow): RetainedMessage {
  const message = decodeMessage(blob, topic) as RetainedMessage;
  message.receivedAt = receivedAt;
  return message;
}

function prepareStatements(database: Database) {
  const columns = "SELECT topic, received_at, message FROM retained";
  return {
    upsert: database.prepare(`INSERT INTO retained (topic, received_at, message) VALUES (?, ?, ?)
      ON CONFLICT (topic) DO UPDATE SET received_at = excluded.received_at, message = excluded.message`),
    delete: database.prepare("DELETE FROM retained WHERE topic = ?"),
    get: database.prepare(`${columns} WHERE topic = ?`).raw(),
    count: database.prepare("SELECT value FROM counters WHERE name = 'retained'").pluck(),
    firstPage: database.prepare(`${columns} ORDER BY topic LIMIT ?`).raw(),
    nextPage: database.prepare(`${columns} WHERE topic > ? ORDER BY topic LIMIT ?`).raw(),
    firstRangePage: database
      .prepare(`${columns} WHERE topic >= ? AND topic < ? ORDER BY topic LIMIT ?`)
      .raw(),
    nextRangePage: database
      .prepare(`${columns} WHERE topic > ? AND topic < ? ORDER BY topic LIMIT ?`)
      .raw(),
  };
}
