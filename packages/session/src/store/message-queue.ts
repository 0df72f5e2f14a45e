/**
 * A FIFO of queued messages with O(1) amortised append and removal from the head.
 *
 * Design: an array plus a head index; the consumed prefix is cut off only once it is both
 * large and at least half the array, so removing messages one at a time from a long offline
 * queue costs O(1) each instead of the O(n) of `Array.prototype.shift`/`splice`.
 */
import type { SessionMessage } from "../snapshot.js";

const COMPACT_THRESHOLD = 1024;

export class MessageQueue {
  private items: SessionMessage[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(message: SessionMessage): void {
    this.items.push(message);
  }

  /** Drops the `count` oldest messages; the caller checked `count <= length`. */
  drop(count: number): void {
    this.head += count;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_THRESHOLD && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The queued messages, oldest first, mapped by `map` (used to copy them out). */
  toArray(map: (message: SessionMessage) => SessionMessage): SessionMessage[] {
    return this.items.slice(this.head).map(map);
  }
}
