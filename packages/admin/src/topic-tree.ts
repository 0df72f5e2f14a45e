/**
 * The topics seen in the broker's traffic and retained messages, each with its last payload,
 * for the dashboard's topic tree.
 *
 * Design: a flat Map from topic name to its latest message, bounded by `maxTopics`. The
 * Map's insertion order is its recency order: a topic that gets a message is deleted and set
 * again (it moves to the end), and when a new topic arrives with the Map full, the first
 * entry (the topic whose last message is the oldest) is evicted. A message of a known topic
 * updates its entry in place (one delete and one set, no allocation); a payload up to the
 * preview size is kept by reference (the broker shares payloads and never changes them), a
 * larger one as a copy of its first bytes, so the tree holds at most
 * `maxTopics` x `PAYLOAD_PREVIEW_BYTES` of payload. The nesting by `/`
 * levels is the client's to build from `list()`.
 */
import { PAYLOAD_PREVIEW_BYTES } from "./payload.js";

/** The last message of one topic. */
export interface TopicEntry {
  readonly topic: string;
  /** Its first `PAYLOAD_PREVIEW_BYTES` bytes. */
  readonly payload: Uint8Array;
  /** The whole payload's size. */
  readonly bytes: number;
  readonly qos: number;
  readonly retain: boolean;
  /** Messages seen on this topic since it entered the tree. */
  readonly messages: number;
  /** ms epoch. */
  readonly updatedAt: number;
}

export const DEFAULT_MAX_TOPICS = 1000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TopicTree {
  private readonly topics = new Map<string, Mutable<TopicEntry>>();

  constructor(
    readonly maxTopics: number = DEFAULT_MAX_TOPICS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.topics.size;
  }

  /** Records a message of `topic` as the topic's last one (no allocation for a known topic). */
  record(topic: string, payload: Uint8Array, qos: number, retain: boolean): void {
    const kept =
      payload.length > PAYLOAD_PREVIEW_BYTES ? payload.slice(0, PAYLOAD_PREVIEW_BYTES) : payload;
    const entry = this.topics.get(topic);
    if (entry === undefined) {
      if (this.topics.size >= this.maxTopics) {
        const oldest = this.topics.keys().next();
        if (oldest.done !== true) this.topics.delete(oldest.value);
      }
      const bytes = payload.length;
      const updatedAt = this.now();
      this.topics.set(topic, { topic, payload: kept, bytes, qos, retain, messages: 1, updatedAt });
      return;
    }
    entry.payload = kept;
    entry.bytes = payload.length;
    entry.qos = qos;
    entry.retain = retain;
    entry.messages++;
    entry.updatedAt = this.now();
    this.topics.delete(topic); // to the end: the most recent
    this.topics.set(topic, entry);
  }

  get(topic: string): TopicEntry | undefined {
    return this.topics.get(topic);
  }

  /** Every topic, sorted by name. */
  list(): TopicEntry[] {
    return [...this.topics.values()].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0,
    );
  }
}
