/**
 * The claims of this node that wait for another node to release a session.
 *
 * Design: a claim sends `takeover` with a number unique on this node and waits here for the
 * `released` answer with that number, for the previous owner's death (a `gone` event naming
 * it), or for its timeout, whichever comes first; each wait settles exactly once and leaves
 * no timer behind. An answer that comes after the timeout finds no wait and is ignored.
 */

/** How a wait ended. */
export type TakeoverOutcome = "released" | "gone" | "timeout" | "closed";

interface Wait {
  readonly previousOwner: string;
  readonly resolve: (outcome: TakeoverOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

export class TakeoverWaits {
  private readonly waits = new Map<number, Wait>();
  private lastId = 0;

  /** A number for the next `takeover` message. */
  nextId(): number {
    this.lastId = this.lastId === Number.MAX_SAFE_INTEGER ? 1 : this.lastId + 1;
    return this.lastId;
  }

  /** Waits for the answer to takeover `id` sent to `previousOwner`, at most `timeoutMs`. */
  wait(id: number, previousOwner: string, timeoutMs: number): Promise<TakeoverOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, "timeout"), timeoutMs);
      this.waits.set(id, { previousOwner, resolve, timer });
    });
  }

  /** The answer `released` to takeover `id` came. */
  released(id: number): void {
    this.settle(id, "released");
  }

  /** `nodeId` was forgotten (dead): every wait on it ends. */
  nodeGone(nodeId: string): void {
    for (const [id, wait] of this.waits) {
      if (wait.previousOwner === nodeId) this.settle(id, "gone");
    }
  }

  /** The bus closes: every wait ends. */
  closeAll(): void {
    for (const id of [...this.waits.keys()]) this.settle(id, "closed");
  }

  get size(): number {
    return this.waits.size;
  }

  private settle(id: number, outcome: TakeoverOutcome): void {
    const wait = this.waits.get(id);
    if (wait === undefined) return;
    this.waits.delete(id);
    clearTimeout(wait.timer);
    wait.resolve(outcome);
  }
}
