/**
 * The result of every engine call: packets to send, in order, and events to deliver.
 *
 * Design: most calls produce nothing (a PUBACK for an unknown id, a timeout that is not
 * due yet), so they return the one frozen EMPTY_STEP instead of fresh arrays. Each session
 * owns one StepBuilder that it resets at the start of a call; the arrays are created only
 * when a first packet or event is added, and a finished Step is never touched again, so a
 * shell may keep it.
 */
import type { Packet } from "@ternmq/codec";
import type { SessionEvent } from "./events.js";

/** What an engine call asks the shell to do. */
export interface Step {
  /** Encode and write these packets, in this order. Empty while disconnected. */
  readonly send: readonly Packet[];
  /** Deliver these to the application, in this order. */
  readonly events: readonly SessionEvent[];
}

const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** The shared step for "nothing to do". */
export const EMPTY_STEP: Step = Object.freeze({ send: EMPTY_LIST, events: EMPTY_LIST });

/** Accumulates one Step; reused by its session across calls (no closure, no re-entry). */
export class StepBuilder {
  private packets: Packet[] | undefined;
  private eventList: SessionEvent[] | undefined;

  /** Starts a new step, forgetting whatever the previous finish() handed out. */
  reset(): void {
    this.packets = undefined;
    this.eventList = undefined;
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
    this.packets = undefined;
    this.eventList = undefined;
    if (packets === undefined && events === undefined) return EMPTY_STEP;
    return { send: packets ?? EMPTY_LIST, events: events ?? EMPTY_LIST };
  }
}
