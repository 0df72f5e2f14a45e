/**
 * The subscribers of one filter: `[id0, value0, id1, value1, ...]` in one flat array.
 *
 * Design: most filters have one subscriber, so a list starts as a two-slot array literal (no
 * spare capacity, no per-entry object, no Map) and is iterated by index on the match path. Long
 * lists (many clients on one filter) also get a `Map` from id to position so that add and remove
 * stay O(1). Removal moves the last pair into the hole: order is not kept.
 */
const INDEXED_FROM_LENGTH = 16;

export class SubscriberList<T, Id> {
  /** The filter as the caller gave it, reported with each match. */
  readonly filter: string;
  /** Alternating subscriber ids and values. Read-only outside this class. */
  entries: Array<Id | T>;
  private index: Map<Id, number> | undefined = undefined;

  constructor(filter: string, subscriberId: Id, value: T) {
    this.filter = filter;
    this.entries = [subscriberId, value];
  }

  get size(): number {
    return this.entries.length >>> 1;
  }

  /** The value stored for `subscriberId`, or undefined. */
  get(subscriberId: Id): T | undefined {
    const position = this.positionOf(subscriberId);
    return position === -1 ? undefined : (this.entries[position + 1] as T);
  }

  /** Adds or replaces; returns true when the subscriber was not in the list. */
  set(subscriberId: Id, value: T): boolean {
    const entries = this.entries;
    const existing = this.positionOf(subscriberId);
    if (existing !== -1) {
      entries[existing + 1] = value;
      return false;
    }
    const position = entries.length;
    entries.push(subscriberId, value);
    if (this.index !== undefined) {
      this.index.set(subscriberId, position);
    } else if (entries.length >= INDEXED_FROM_LENGTH) {
      const index = new Map<Id, number>();
      for (let at = 0; at < entries.length; at += 2) index.set(entries[at] as Id, at);
      this.index = index;
    }
    return true;
  }

  /** Removes; returns true when the subscriber was in the list. */
  delete(subscriberId: Id): boolean {
    const entries = this.entries;
    const position = this.positionOf(subscriberId);
    if (position === -1) return false;
    const last = entries.length - 2;
    if (position !== last) {
      const movedId = entries[last] as Id;
      entries[position] = movedId;
      entries[position + 1] = entries[last + 1] as T;
      this.index?.set(movedId, position);
    }
    entries.length = last;
    if (this.index !== undefined) {
      this.index.delete(subscriberId);
      // Hysteresis: drop the index well below the threshold so add/remove cannot thrash it.
      if (last < INDEXED_FROM_LENGTH / 2) this.index = undefined;
    }
    return true;
  }

  private positionOf(subscriberId: Id): number {
    if (this.index !== undefined) return this.index.get(subscriberId) ?? -1;
    const entries = this.entries;
    for (let at = 0; at < entries.length; at += 2) {
      if (entries[at] === subscriberId) return at;
    }
    return -1;
  }
}
