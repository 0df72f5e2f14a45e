/**
 * The persistence seam for retained messages: at most one message per topic name, found
 * again by the topic filters of later subscriptions.
 *
 * Design: the same call-order, durability, failure, isolation and close contract as
 * `SessionStore` (see session-store.ts). Matching streams (`AsyncIterable`) because a
 * subscription to `#` on a big store must not have to hold every retained message in
 * memory at once. Expiry is the broker's job: the store keeps `receivedAt` so the broker can
 * drop a message whose 5.0 Message Expiry Interval has passed and send the rest with the
 * interval reduced by the time already spent [MQTT-3.3.2-5] [MQTT-3.3.2-6].
 */
import type { SessionMessage } from "../snapshot.js";

/** A retained message with the time the broker accepted it. */
export interface RetainedMessage extends SessionMessage {
  /** Milliseconds since the Unix epoch (caller's clock). */
  receivedAt: number;
}

/** Retained messages by topic name. All methods are async and settle. */
export interface RetainedStore {
  /**
   * Stores `message` as the retained message of `message.topic`, replacing the previous one
   * [MQTT-3.3.1-5]. A zero-byte payload removes the retained message of that topic and is
   * not stored [MQTT-3.3.1-10] [MQTT-3.3.1-11]. Durable when resolved.
   */
  set(message: RetainedMessage): Promise<void>;

  /** Removes the retained message of `topic`, if any (for expiry). Durable when resolved. */
  delete(topic: string): Promise<void>;

  /** Returns: a copy of the retained message of exactly `topic`, or `undefined`. */
  get(topic: string): Promise<RetainedMessage | undefined>;

  /**
   * Every retained message whose topic matches `filter` (`+`, `#`; a filter starting with
   * a wildcard does not match `$` topics [MQTT-4.7.2-1]), in no particular order. Messages
   * that exist for the whole iteration are yielded exactly once; messages set or deleted
   * meanwhile may or may not be. `filter` must be a valid, non-shared topic filter.
   */
  match(filter: string): AsyncIterable<RetainedMessage>;

  /** Returns: how many retained messages are stored. */
  count(): Promise<number>;

  /** Waits for pending writes, then releases resources. Idempotent. */
  close(): Promise<void>;
}
