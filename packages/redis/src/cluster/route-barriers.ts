/**
 * Route barriers: `syncRoutes()` resolves once every other live node has applied this node's
 * route changes, so that a SUBACK is sent only when a PUBLISH on any node will see the new
 * subscription.
 *
 * Design: the bus publishes a `sync` event on `P ev` after its writes (the route changes
 * publish their events from those writes, and Redis delivers one channel's messages in
 * publish order), every other node answers `synced` when it applies the barrier, in order
 * with the route events before it. A barrier waits for the nodes live at the last membership
 * check; it resolves when all of them answered, when the missing ones are declared gone, or
 * after `timeoutMs` (a node that cannot answer that long is about to be declared dead, and a
 * subscriber must not wait forever for it).
 */

interface Barrier {
  readonly waitingFor: Set<string>;
  readonly timer: NodeJS.Timeout;
  readonly resolve: () => void;
}

export class RouteBarriers {
  private readonly pending = new Map<number, Barrier>();
  private lastId = 0;

  constructor(private readonly timeoutMs: number) {}

  /**
   * A barrier that waits for `nodes` to answer. Returns its id (for the `sync` event) and the
   * promise, which never rejects.
   */
  begin(nodes: readonly string[]): { id: number; done: Promise<void> } {
    const id = ++this.lastId;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.finish(id), this.timeoutMs);
      timer.unref();
      this.pending.set(id, { waitingFor: new Set(nodes), timer, resolve });
    });
    return { id, done };
  }

  /** Node `from` applied barrier `id`. */
  answered(id: number, from: string): void {
    const barrier = this.pending.get(id);
    if (barrier === undefined) return;
    barrier.waitingFor.delete(from);
    if (barrier.waitingFor.size === 0) this.finish(id);
  }

  /** Node `nodeId` was forgotten: no barrier waits for it any more. */
  nodeGone(nodeId: string): void {
    for (const id of [...this.pending.keys()]) this.answered(id, nodeId);
  }

  /** Resolves every barrier (the bus closes, or the barrier could not be published). */
  finish(id?: number): void {
    const ids = id === undefined ? [...this.pending.keys()] : [id];
    for (const each of ids) {
      const barrier = this.pending.get(each);
      if (barrier === undefined) continue;
      this.pending.delete(each);
      clearTimeout(barrier.timer);
      barrier.resolve();
    }
  }
}
