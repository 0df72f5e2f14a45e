/**
 * The result of every engine call: packets to send, in order, events to deliver, and (for a
 * journaling session) the change to persist.
 *
 * Design: most calls produce nothing (a PUBACK for an unknown id, a timeout that is not
 * due yet), so they return the one frozen EMPTY_STEP instead of fresh arrays. Each session
 * owns one StepBuilder that it resets at the start of a call; the arrays are created only
 * when a first packet or event is added, and a finished Step is never touched again, so a
 * shell may keep it. A journaling session's builder also carries the session's
 * ChangeJournal (`journal`); without `journal: true` it is undefined and costs nothing.
 */
import type { Packet } from "@ternmq/codec";
import { ChangeJournal } from "./change-journal.js";
import type { SessionEvent } from "./events.js";
import type { SnapshotChanges } from "./store/session-store.js";

/** What an engine call asks the shell to do. */
export interface Step {
  /** Encode and write these packets, in this order. Empty while disconnected. */
  readonly send: readonly Packet[];
  /** Deliver these to the application, in this order. */
  readonly events: readonly SessionEvent[];
  /**
   * Sessions created with `journal: true` only: the change from the snapshot before the call
   * to the one after, for `SessionStore.update`; undefined when the call changed nothing a
   * snapshot holds. Persist it before writing `send` (see the README, "Journaling for
   * durable stores").
   */
  readonly changes?: SnapshotChanges;
}

const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** The shared step for "nothing to do". */
export const EMPTY_STEP: Step = Object.freeze({
  send: EMPTY_LIST,
  events: EMPTY_LIST,
  changes: undefined,
});

/** Accumulates one Step; reused by its session across calls (no closure, no re-entry). */
export class StepBuilder {
  private packets: Packet[] | undefined;
  private eventList: SessionEvent[] | undefined;
  /** The session's journal; undefined unless the session was created with `journal: true`. */
  readonly journal: ChangeJournal | undefined;

  constructor(journal: boolean) {
    this.journal = journal ? new ChangeJournal() : undefined;
  }

  /** Starts a new step, forgetting whatever the previous finish() handed out. */
  reset(): void {
    this.packets = undefined;
    this.eventList = undefined;
    this.journal?.reset();
  }

  send(packet: Packet): void {
    if (this.packets === undefined) this.packets = [packet];
    else this.packets.push(packet);
  }

  event(event: SessionEvent): void {
    if (this.eventList === undefined) this.eventList = [event];
    else this.eventList.push(event);
  }

  get hasPackets(): boolean {
    return this.packets !== undefined;
  }

  finish(): Step {
    const packets = this.packets;
    const events = this.eventList;
    const changes = this.journal?.take();
    this.packets = undefined;
    this.eventList = undefined;
    if (packets === undefined && events === undefined && changes === undefined) {
      return EMPTY_STEP;
    }
    // One object shape for every Step (`changes` present, maybe undefined).
    return { send: packets ?? EMPTY_LIST, events: events ?? EMPTY_LIST, changes };
  }
}
