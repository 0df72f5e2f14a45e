/**
 * `RetainedStore` on Redis: one hash `P ret`, topic -> retained message (message-codec.ts).
 *
 * Design: set and delete are one HSET/HDEL op of the shared write batch, so a retained set
 * commits together with the session writes of the same PUBLISH. A filter without wildcards
 * is one HGET. Any other filter streams the hash with HSCAN (pages of about
 * `RETAINED_PAGE_SIZE` entries, each page one round trip, so the event loop runs between
 * them and a `#` over a million messages is never held in memory at once), restricted by a
 * MATCH pattern to the filter's literal prefix when it has one (`sensors/+/temp` scans
 * `sensors/*` only), and confirms every candidate with `matchesFilter` from
 * `@ternmq/topics` (`$` topics [MQTT-4.7.2-1], `#` matching its parent [MQTT-4.7.1-2]).
 * HSCAN may return an entry twice while the hash is rehashed: `match` yields each topic once.
 * `count` is HLEN.
 */
import { type RetainedMessage, type RetainedStore, StoreError } from "@ternmq/session";
import { matchesFilter } from "@ternmq/topics";
import { storeErrorFrom } from "./errors.js";
import { decodeRetained, encodeRetained } from "./message-codec.js";
import type { StorePart } from "./store-part.js";

/** Entries HSCAN is asked for per call by `match` (a hint to Redis, not a bound). */
export const RETAINED_PAGE_SIZE = 1000;

export class RedisRetainedStore implements RetainedStore {
  /** @internal Made by `openRedisStores`. */
  constructor(private readonly part: StorePart) {}

  set(message: RetainedMessage): Promise<void> {
    try {
      this.part.assertOpen();
      // [MQTT-3.3.1-10] [MQTT-3.3.1-11] a zero-byte retained message clears and is not stored.
      if (message.payload.length === 0) return this.delete(message.topic);
      let bytes: Buffer;
      try {
        bytes = encodeRetained(message);
      } catch (error) {
        throw new StoreError(
          "MQTT_ERR_STORE_INVALID_CHANGE",
          `retained message of "${String(message.topic)}" cannot be stored`,
          { cause: error },
        );
      }
      const { batcher } = this.part.connection;
      // [MQTT-3.3.1-5] the new message replaces any retained message of the same topic.
      batcher.begin().push("RS", message.topic, bytes);
      return batcher.shared();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(topic: string): Promise<void> {
    try {
      this.part.assertOpen();
      const { batcher } = this.part.connection;
      batcher.begin().push("RD", topic);
      return batcher.shared();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async get(topic: string): Promise<RetainedMessage | undefined> {
    this.part.assertOpen();
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    let bytes: Buffer | null;
    try {
      bytes = await redis.hgetBuffer(keys.retained, topic);
    } catch (error) {
      throw storeErrorFrom(where, "reading a retained message", error);
    }
    if (bytes === null) return undefined;
    try {
      return decodeRetained(topic, bytes);
    } catch (error) {
      throw storeErrorFrom(where, "reading a retained message", error);
    }
  }

  async *match(filter: string): AsyncIterable<RetainedMessage> {
    this.part.assertOpen();
    const wildcard = firstWildcard(filter);
    if (wildcard === -1) {
      const message = await this.get(filter);
      if (message !== undefined) yield message;
      return;
    }
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    const pattern = scanPattern(filter, wildcard);
    const seen = new Set<string>();
    let cursor = "0";
    do {
      let page: [Buffer, Buffer[]];
      try {
        page =
          pattern === undefined
            ? await redis.hscanBuffer(keys.retained, cursor, "COUNT", RETAINED_PAGE_SIZE)
            : await redis.hscanBuffer(
                keys.retained,
                cursor,
                "MATCH",
                pattern,
                "COUNT",
                RETAINED_PAGE_SIZE,
              );
      } catch (error) {
        throw storeErrorFrom(where, "matching retained messages", error);
      }
      this.part.assertOpen();
      cursor = String(page[0]);
      const entries = page[1];
      for (let index = 0; index + 1 < entries.length; index += 2) {
        const topic = String(entries[index]);
        if (!matchesFilter(filter, topic) || seen.has(topic)) continue;
        seen.add(topic);
        let message: RetainedMessage;
        try {
          message = decodeRetained(topic, entries[index + 1] as Buffer);
        } catch (error) {
          throw storeErrorFrom(where, "matching retained messages", error);
        }
        yield message;
        this.part.assertOpen();
      }
    } while (cursor !== "0");
  }

  async count(): Promise<number> {
    this.part.assertOpen();
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    try {
      return await redis.hlen(keys.retained);
    } catch (error) {
      throw storeErrorFrom(where, "counting retained messages", error);
    }
  }

  close(): Promise<void> {
    return this.part.close();
  }
}

/** Index of the first `+` or `#` of `filter`, or -1. */
function firstWildcard(filter: string): number {
  const plus = filter.indexOf("+");
  const hash = filter.indexOf("#");
  if (plus === -1) return hash;
  if (hash === -1) return plus;
  return Math.min(plus, hash);
}

/**
 * The HSCAN MATCH pattern of the literal prefix before the first wildcard, or undefined when
 * the filter starts with one. `a/#` also matches `a` itself [MQTT-4.7.1-2], so its prefix
 * stops before the "/".
 */
function scanPattern(filter: string, wildcard: number): string | undefined {
  let prefix = filter.slice(0, wildcard);
  if (filter[wildcard] === "#" && prefix.endsWith("/")) prefix = prefix.slice(0, -1);
  if (prefix === "") return undefined;
  return `${prefix.replace(/[\\*?[\]]/g, "\\$&")}*`;
}
