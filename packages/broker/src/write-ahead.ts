/**
 * The write-ahead rule: a packet that tells a client something is stored leaves only once
 * the store writes it depends on are durable.
 *
 * Design: every store write of the broker goes through `track()`, which numbers it (1, 2,
 * 3...) in call order. `durable` is the highest number n such that writes 1..n have all
 * resolved; resolutions may come out of call order (the session store and the retained store
 * are two stores), so numbers resolved early wait in `resolvedAhead`. A packet batch that
 * must not leave yet is `hold()`-ed in ONE first-in-first-out list with the number of the
 * last write issued at that moment. Numbers never decrease along the list, so releasing from
 * its head as `durable` grows keeps every connection's packets in the order they were made;
 * and while a connection has held batches (`GatedOutput.heldBatches`), its later packets
 * queue behind them, so a packet never overtakes an earlier one. With a group-commit store
 * all writes of one event-loop turn resolve together, so waiting for "every write issued so
 * far" costs no more than waiting for exactly the writes a packet depends on.
 *
 * Nothing is allocated on the path of a packet that depends on no pending write: `send()`
 * writes straight to the connection. A tracked write costs one closure (its number).
 *
 * A rejected write is fatal (fail-stop, see the README "Persistence"): memory is then ahead
 * of the disk, so nothing may be acknowledged any more. Held batches are dropped, every
 * later `hold()` drops its batch, and `onFailure` runs once with the first error.
 *
 * state: "open" -> "failed" (a tracked write rejected; final).
 */
import type { Packet } from "@ternmq/codec";

/** Released slots at the head of the held list that are dropped by copying the rest. */
const COMPACT_AFTER = 1024;

export type WriteAheadState = "open" | "failed";

/** What the write-ahead gate needs from a connection. */
export interface GatedOutput {
  /** Batches of this connection in the held list; maintained by WriteAhead only. */
  heldBatches: number;
  /** Writes packets now (a no-op once the connection is closing). */
  sendPackets(packets: readonly Packet[]): void;
  /** A held batch of this connection was released (sent). */
  outputReleased(): void;
}

/** A batch waiting for write number `waitsFor` to be durable. */
interface HeldBatch {
  readonly waitsFor: number;
  readonly output: GatedOutput;
  readonly packets: readonly Packet[];
}

export class WriteAhead {
  state: WriteAheadState = "open";
  /** Number of the last write issued. */
  issued = 0;
  /** Writes 1..durable have all resolved. */
  private durable = 0;
  private readonly resolvedAhead = new Set<number>();
  private held: HeldBatch[] = [];
  /** `whenDurable()` callers, each with the write number it waits for (ascending). */
  private waiters: { upTo: number; resolve: () => void }[] = [];
  /** Index of the first batch of `held` not yet released. */
  private head = 0;
  private readonly onRejected = (error: unknown): void => this.fail(error);
  /**
   * Told how many ms each write took from `track()` to resolution (BrokerInspector's
   * `onStoreWrite`); undefined (the default): no timestamp is taken.
   */
  writeObserver: ((milliseconds: number) => void) | undefined;

  constructor(private readonly onFailure: (error: unknown) => void) {}

  /** True while some tracked write has not resolved yet. */
  get pending(): boolean {
    return this.durable < this.issued;
  }

  /** Numbers `write` and watches it: its resolution may release held batches. */
  track(write: Promise<unknown>): void {
    const number = ++this.issued;
    const observer = this.writeObserver;
    if (observer === undefined) {
      write.then(() => this.resolved(number), this.onRejected);
      return;
    }
    const startedAt = performance.now();
    write.then(() => {
      observer(performance.now() - startedAt);
      this.resolved(number);
    }, this.onRejected);
  }

  /**
   * Resolves once every write issued so far is durable (a session handed to another cluster
   * node must be stored first). Never settles after a failure: the broker is stopping.
   */
  whenDurable(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo: this.issued, resolve }));
  }

  /** True when a write was issued after `issued` had the value `mark`. */
  wroteSince(mark: number): boolean {
    return this.issued !== mark;
  }

  /**
   * Sends `packets` to `output` now, or holds them until every write issued so far is
   * durable when `afterWrites` says they depend on one, or when earlier packets of `output`
   * are held (they keep their order).
   */
  send(output: GatedOutput, packets: readonly Packet[], afterWrites: boolean): void {
    if ((afterWrites && this.pending) || output.heldBatches > 0) this.hold(output, packets);
    else if (this.state === "open") output.sendPackets(packets);
  }

  private hold(output: GatedOutput, packets: readonly Packet[]): void {
    if (this.state === "failed") return;
    this.held.push({ waitsFor: this.issued, output, packets });
    output.heldBatches++;
  }

  private resolved(number: number): void {
    if (number !== this.durable + 1) {
      this.resolvedAhead.add(number);
      return;
    }
    this.durable = number;
    while (this.resolvedAhead.delete(this.durable + 1)) this.durable++;
    this.release();
    if (this.waiters.length > 0) this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    let woken = 0;
    while (woken < waiters.length && (waiters[woken] as { upTo: number }).upTo <= this.durable) {
      (waiters[woken] as { resolve: () => void }).resolve();
      woken++;
    }
    if (woken > 0) this.waiters = waiters.slice(woken);
  }

  /** Sends the held batches whose writes are all durable, from the head of the list. */
  private release(): void {
    const held = this.held;
    while (this.head < held.length && this.state === "open") {
      const batch = held[this.head] as HeldBatch;
      if (batch.waitsFor > this.durable) return;
      this.head++;
      const output = batch.output;
      output.heldBatches--;
      output.sendPackets(batch.packets);
      output.outputReleased();
    }
    if (this.head === held.length) {
      this.held = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= held.length) {
      this.held = held.slice(this.head); // under constant load the list never empties
      this.head = 0;
    }
  }

  private fail(error: unknown): void {
    if (this.state === "failed") return;
    this.state = "failed";
    for (let index = this.head; index < this.held.length; index++) {
      const batch = this.held[index] as HeldBatch;
      batch.output.heldBatches = 0;
    }
    this.held = [];
    this.head = 0;
    this.onFailure(error);
  }
}
