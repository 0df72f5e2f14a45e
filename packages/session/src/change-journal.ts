/**
 * The journal of one engine call: the change from the snapshot before the call to the
 * snapshot after it, as the `SnapshotChanges` a `SessionStore.update` applies.
 *
 * Design: the engine reports each state change where it happens (the outbound flow when an
 * inflight entry is added, changes state or ends; the queue when a message enters or leaves
 * it; the inbound flow when a QoS 2 id starts or stops awaiting PUBREL), and this class folds
 * the reports into one change. Nothing is diffed. A store applies a change in a FIXED order
 * (dequeue, enqueue, removeInflight, putInflight, nextPacketId, removeAwaitingPubrel,
 * addAwaitingPubrel), not in the order things happened, so the folding keeps that order
 * correct:
 *
 * - Queue: `dequeue` counts only messages that were stored before the call; a message
 *   enqueued and dequeued within the same call never reaches the store (it leaves
 *   `enqueue` instead), so a change never dequeues beyond the stored queue. A message removed
 *   from the MIDDLE of the stored queue (queue full: the oldest QoS 0 message makes room)
 *   cannot be said with head/tail operations, so the whole queue is rewritten: every stored
 *   message dequeued, the engine's queue enqueued. That happens only on overflow.
 * - Inflight: a new packet id is appended to `putInflight` (it goes last in the store, as in
 *   the engine); a state change of a known id (PUBREC) replaces the id's entry in place.
 *   An id removed, then reused within one call, is in both lists: removals run first, so it
 *   goes last, as in the engine.
 * - Awaiting PUBREL: removed ids are in `removeAwaitingPubrel`, added ones in
 *   `addAwaitingPubrel`; an id added and then removed within the call is taken out of the
 *   additions again.
 *
 * One journal belongs to one session and is reused across calls; the change object and its
 * lists are created only on the first change of a call. A session created without
 * `journal: true` has no journal at all (no cost).
 */
import type { OutboundInflight, SessionMessage } from "./snapshot.js";
import type { SnapshotChanges } from "./store/session-store.js";

/** SnapshotChanges while it is being built (mutable lists). */
interface OpenChanges {
  dequeue?: number;
  enqueue?: SessionMessage[];
  removeInflight?: number[];
  putInflight?: OutboundInflight[];
  nextPacketId?: number;
  removeAwaitingPubrel?: number[];
  addAwaitingPubrel?: number[];
}

/** What the journal needs of the engine's queue to rewrite it (see the module comment). */
export interface QueueContents {
  /** The queued messages, oldest first, as plain SessionMessages; a fresh array. */
  plainMessages(): SessionMessage[];
}

/** "The call has not touched the queue yet." */
const QUEUE_UNTOUCHED = -1;

export class ChangeJournal {
  private changes: OpenChanges | undefined;
  /**
   * How many of the messages stored before this call are still at the head of the engine's
   * queue, or QUEUE_UNTOUCHED. Everything behind them is in `changes.enqueue`.
   */
  private storedQueued = QUEUE_UNTOUCHED;

  /** Forgets the current call's changes (a new call starts). */
  reset(): void {
    this.changes = undefined;
    this.storedQueued = QUEUE_UNTOUCHED;
  }

  /**
   * The change of the call that just ended, without empty parts; undefined when nothing a
   * snapshot holds changed. Resets the journal.
   */
  take(): SnapshotChanges | undefined {
    const changes = this.changes;
    this.reset();
    if (changes === undefined) return undefined;
    if (changes.dequeue === 0) changes.dequeue = undefined;
    if (changes.enqueue?.length === 0) changes.enqueue = undefined;
    if (changes.putInflight?.length === 0) changes.putInflight = undefined;
    if (changes.addAwaitingPubrel?.length === 0) changes.addAwaitingPubrel = undefined;
    // Removal lists are never emptied again, so they need no check.
    if (
      changes.dequeue === undefined &&
      changes.enqueue === undefined &&
      changes.removeInflight === undefined &&
      changes.putInflight === undefined &&
      changes.nextPacketId === undefined &&
      changes.removeAwaitingPubrel === undefined &&
      changes.addAwaitingPubrel === undefined
    ) {
      return undefined;
    }
    return changes;
  }

  /** The engine's queue, which held `sizeBefore` messages, got `message` at its tail. */
  queueAppended(message: SessionMessage, sizeBefore: number): void {
    const changes = this.openQueue(sizeBefore);
    if (changes.enqueue === undefined) changes.enqueue = [message];
    else changes.enqueue.push(message);
  }

  /** The engine's queue, which held `sizeBefore` messages, lost its head. */
  queueShifted(sizeBefore: number): void {
    const changes = this.openQueue(sizeBefore);
    if (this.storedQueued > 0) {
      this.storedQueued--;
      changes.dequeue = (changes.dequeue ?? 0) + 1;
    } else {
      // Enqueued by this very call: it never reaches the store.
      changes.enqueue?.shift();
    }
  }

  /**
   * The message at `position` (0 = head) left the engine's queue, which held `sizeBefore`
   * messages; `queue` is the queue after the removal.
   */
  queueRemovedAt(position: number, sizeBefore: number, queue: QueueContents): void {
    const changes = this.openQueue(sizeBefore);
    if (position >= this.storedQueued) {
      changes.enqueue?.splice(position - this.storedQueued, 1);
      return;
    }
    // Inside the stored part: rewrite the stored queue (rare: overflow only).
    changes.dequeue = (changes.dequeue ?? 0) + this.storedQueued;
    this.storedQueued = 0;
    changes.enqueue = queue.plainMessages();
  }

  /** The engine's queue, which held `sizeBefore` messages, was emptied. */
  queueCleared(sizeBefore: number): void {
    const changes = this.openQueue(sizeBefore);
    changes.dequeue = (changes.dequeue ?? 0) + this.storedQueued;
    this.storedQueued = 0;
    changes.enqueue = undefined;
  }

  /** A new packet id went inflight: `entry` goes after every other inflight entry. */
  inflightAdded(entry: OutboundInflight): void {
    const changes = this.open();
    if (changes.putInflight === undefined) changes.putInflight = [entry];
    else changes.putInflight.push(entry);
  }

  /** The inflight entry of `entry.packetId` changed state in place (PUBREC received). */
  inflightChanged(entry: OutboundInflight): void {
    const changes = this.open();
    const puts = changes.putInflight;
    if (puts === undefined) {
      changes.putInflight = [entry];
      return;
    }
    const index = indexOfPacketId(puts, entry.packetId);
    if (index === -1) puts.push(entry);
    else puts[index] = entry;
  }

  /** The inflight entry of `packetId` ended (acknowledged, or discarded). */
  inflightRemoved(packetId: number): void {
    const changes = this.open();
    const puts = changes.putInflight;
    if (puts !== undefined) {
      const index = indexOfPacketId(puts, packetId);
      if (index !== -1) puts.splice(index, 1);
    }
    if (changes.removeInflight === undefined) changes.removeInflight = [packetId];
    else changes.removeInflight.push(packetId);
  }

  /** The packet id allocator's cursor moved to `nextPacketId`. */
  nextPacketIdMoved(nextPacketId: number): void {
    this.open().nextPacketId = nextPacketId;
  }

  /** The QoS 2 id `packetId` now awaits PUBREL (PUBREC released). */
  awaitingPubrelAdded(packetId: number): void {
    const changes = this.open();
    if (changes.addAwaitingPubrel === undefined) changes.addAwaitingPubrel = [packetId];
    else changes.addAwaitingPubrel.push(packetId);
  }

  /** The QoS 2 id `packetId` no longer awaits PUBREL (PUBREL arrived, or discarded). */
  awaitingPubrelRemoved(packetId: number): void {
    const changes = this.open();
    const added = changes.addAwaitingPubrel;
    if (added !== undefined) {
      const index = added.indexOf(packetId);
      if (index !== -1) added.splice(index, 1);
    }
    if (changes.removeAwaitingPubrel === undefined) changes.removeAwaitingPubrel = [packetId];
    else changes.removeAwaitingPubrel.push(packetId);
  }

  private open(): OpenChanges {
    if (this.changes === undefined) this.changes = {};
    return this.changes;
  }

  private openQueue(sizeBefore: number): OpenChanges {
    // The first queue change of a call sees the queue exactly as stored.
    if (this.storedQueued === QUEUE_UNTOUCHED) this.storedQueued = sizeBefore;
    return this.open();
  }
}

function indexOfPacketId(entries: readonly OutboundInflight[], packetId: number): number {
  for (let index = 0; index < entries.length; index++) {
    if (entries[index]?.packetId === packetId) return index;
  }
  return -1;
}
