/**
 * The filters that this node's clean sessions subscribe to, reference-counted.
 *
 * Design: many local clean sessions may subscribe to one filter; the node route `P r:n:{me}`
 * only says whether at least one does. So Redis is written when a filter's count goes from 0
 * to 1 (`add` returns true) or from 1 to 0 (`remove` returns true), and never in between.
 * After a Redis outage the bus rewrites every filter with a count (`filters()`), because a
 * Redis that restarted without persistence has lost them.
 */
export class LocalRoutes {
  private readonly counts = new Map<string, number>();

  /** Counts one more subscriber of `filter`; true when it is the first. */
  add(filter: string): boolean {
    const count = this.counts.get(filter) ?? 0;
    this.counts.set(filter, count + 1);
    return count === 0;
  }

  /** Counts one subscriber of `filter` less; true when it was the last (unknown: false). */
  remove(filter: string): boolean {
    const count = this.counts.get(filter);
    if (count === undefined) return false;
    if (count > 1) {
      this.counts.set(filter, count - 1);
      return false;
    }
    this.counts.delete(filter);
    return true;
  }

  /** Every filter with at least one local subscriber. */
  filters(): IterableIterator<string> {
    return this.counts.keys();
  }

  get size(): number {
    return this.counts.size;
  }
}
