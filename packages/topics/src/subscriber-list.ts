/**
 * The subscribers of one filter, as (subscriber id, value) entries numbered `0 .. size - 1`.
 *
 * Design: most filters have exactly one subscriber, so entry 0 lives in two fields of the list
 * itself and only the others go into a flat `[id1, value1, id2, value2, ...]` array: a filter
 * with one subscriber costs one small object, no array, no per-entry object, no `Map`. Long
 * lists (many clients on one filter) also get a `Map` from id to entry number so that add and
 * remove stay O(1). Removal moves the last entry into the hole: order is not kept.
 */
const INDEXED_FROM_SIZE = 8;

export class SubscriberList<T, Id> {
  /** The filter as the caller gave it, reported with each match. */
  readonly filter: string;
  /** Number of entries; the tree drops a list when it reaches 0. */
  size = 1;
  /** Entry 0 (meaningless when `size` is 0). Read-only outside this class. */
  firstId: Id;
  firstValue: T;
  /** Entries 1 and up, alternating ids and values. Read-only outside this class. */
  more: Array<Id | T> | undefined = undefined;
  private index: Map<Id, number> | undefined = undefined;

  constructor(filter: string, subscriberId: Id, value: T) {
    this.filter = filter;
    this.firstId = subscriberId;
    this.firstValue = value;
  }

  idAt(entry: number): Id {
    return entry === 0 ? this.firstId : ((this.more as Array<Id | T>)[entry * 2 - 2] as Id);
  }

  valueAt(entry: number): T {
    return entry === 0 ? this.firstValue : ((this.more as Array<Id | T>)[entry * 2 - 1] as T);
  }

  /** The value stored for `subscriberId`, or undefined. */
  get(subscriberId: Id): T | undefined {
    const entry = this.entryOf(subscriberId);
    return entry === -1 ? undefined : this.valueAt(entry);
  }

  /** Adds or replaces; returns true when the subscriber was not in the list. */
  set(subscriberId: Id, value: T): boolean {
    const existing = this.entryOf(subscriberId);
    if (existing !== -1) {
      this.write(existing, subscriberId, value);
      return false;
    }
    const entry = this.size++;
    if (entry === 0) {
      this.firstId = subscriberId;
      this.firstValue = value;
    } else if (this.more === undefined) {
      this.more = [subscriberId, value];
    } else {
      this.more.push(subscriberId, value);
    }
    if (this.index !== undefined) {
      this.index.set(subscriberId, entry);
    } else if (this.size >= INDEXED_FROM_SIZE) {
      const index = new Map<Id, number>();
      for (let at = 0; at < this.size; at++) index.set(this.idAt(at), at);
      this.index = index;
    }
    return true;
  }

  /** Removes; returns true when the subscriber was in the list. */
  delete(subscriberId: Id): boolean {
    const entry = this.entryOf(subscriberId);
    if (entry === -1) return false;
    const last = --this.size;
    if (entry !== last) {
      const movedId = this.idAt(last);
      this.write(entry, movedId, this.valueAt(last));
      this.index?.set(movedId, entry);
    }
    if (last === 0) {
      // Keep nothing reachable from an empty list.
      this.firstId = undefined as Id;
      this.firstValue = undefined as T;
    } else if (last === 1) {
      this.more = undefined;
    } else {
      (this.more as Array<Id | T>).length = last * 2 - 2;
    }
    if (this.index !== undefined) {
      this.index.delete(subscriberId);
      // Hysteresis: drop the index well below the threshold so add/remove cannot thrash it.
      if (last < INDEXED_FROM_SIZE / 2) this.index = undefined;
    }
    return true;
  }

  private write(entry: number, subscriberId: Id, value: T): void {
    if (entry === 0) {
      this.firstId = subscriberId;
      this.firstValue = value;
    } else {
      const more = this.more as Array<Id | T>;
      more[entry * 2 - 2] = subscriberId;
      more[entry * 2 - 1] = value;
    }
  }

  private entryOf(subscriberId: Id): number {
    if (this.index !== undefined) return this.index.get(subscriberId) ?? -1;
    if (this.size === 0) return -1;
    if (this.firstId === subscriberId) return 0;
    const more = this.more;
    if (more !== undefined) {
      for (let at = 0; at < more.length; at += 2) {
        if (more[at] === subscriberId) return at / 2 + 1;
      }
    }
    return -1;
  }
}
