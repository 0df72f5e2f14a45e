/**
 * The outbound inflight window: QoS 1/2 messages that have a packet id and await their
 * acknowledgement, in the order they were first sent.
 *
 * Design: a Map keyed by packet id keeps insertion order, and updating an entry in place
 * (PUBREC moves a QoS 2 entry to "awaiting-pubcomp") keeps its position, so iterating the
 * window is exactly the resend order [MQTT-4.4.0-1] [MQTT-4.6.0-1]. `capacity` bounds how
 * many may be outstanding (the 5.0 Receive Maximum of the peer plugs in here
 * [MQTT-4.9.0-2]); lowering it below the current size keeps the existing entries and only
 * stops new ones until enough are acknowledged.
 */
import type { SessionMessage } from "./snapshot.js";

/**
 * One outbound QoS 1/2 flow.
 *
 * State transitions (`state`):
 *
 * | from             | on                   | to               |
 * |------------------|----------------------|------------------|
 * | (new, QoS 1)     | PUBLISH sent         | awaiting-puback  |
 * | awaiting-puback  | PUBACK               | (removed)        |
 * | (new, QoS 2)     | PUBLISH sent         | awaiting-pubrec  |
 * | awaiting-pubrec  | PUBREC (< 0x80)      | awaiting-pubcomp |
 * | awaiting-pubrec  | PUBREC (>= 0x80, 5.0)| (removed)        |
 * | awaiting-pubcomp | PUBCOMP              | (removed)        |
 */
export interface OutboundEntry {
  readonly packetId: number;
  state: "awaiting-puback" | "awaiting-pubrec" | "awaiting-pubcomp";
  /**
   * The message. Kept after PUBREC only to report it in `publish-complete`; it is never
   * resent once PUBREL has been sent [MQTT-4.3.3-1], and snapshots omit it.
   */
  readonly message: SessionMessage | undefined;
  /** When the PUBLISH or PUBREL was last sent (for the optional in-session retry). */
  sentAt: number;
}

/**
 * Packet id 0 is never used, so it holds a permanent placeholder entry: a Map that keeps
 * going from 1 entry to 0 makes V8 shrink and reallocate its table on every delete, which
 * showed as the top cost of a QoS 1 round trip. The placeholder is always first in
 * insertion order and is skipped by `values()`.
 */
const PLACEHOLDER: OutboundEntry = {
  packetId: 0,
  state: "awaiting-puback",
  message: undefined,
  sentAt: 0,
};

/**
 * Every window reads this shared Map (just the placeholder) until its first QoS 1/2 message,
 * then gets its own: an idle connection or a QoS 0 subscriber never pays for a Map (about
 * 250 bytes). Typed read-only; writes go through `ownEntries()`.
 */
const NO_ENTRIES: ReadonlyMap<number, OutboundEntry> = new Map([[0, PLACEHOLDER]]);

export class InflightWindow {
  private entries = NO_ENTRIES;

  constructor(public capacity: number) {}

  get size(): number {
    return this.entries.size - 1;
  }

  get hasRoom(): boolean {
    return this.size < this.capacity;
  }

  add(entry: OutboundEntry): void {
    this.ownEntries().set(entry.packetId, entry);
  }

  get(packetId: number): OutboundEntry | undefined {
    return packetId === 0 ? undefined : this.entries.get(packetId);
  }

  delete(packetId: number): void {
    if (packetId !== 0 && this.entries !== NO_ENTRIES) this.ownEntries().delete(packetId);
  }

  /** Entries in first-sent order (a copy: callers may complete entries while iterating). */
  values(): OutboundEntry[] {
    const list: OutboundEntry[] = [];
    for (const entry of this.entries.values()) if (entry !== PLACEHOLDER) list.push(entry);
    return list;
  }

  clear(): void {
    this.entries = NO_ENTRIES;
  }

  private ownEntries(): Map<number, OutboundEntry> {
    if (this.entries === NO_ENTRIES) this.entries = new Map([[0, PLACEHOLDER]]);
    return this.entries as Map<number, OutboundEntry>;
  }
}
