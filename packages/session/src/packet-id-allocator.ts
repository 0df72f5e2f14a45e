/**
 * 16-bit packet identifier allocator for ONE direction of a session.
 *
 * Design: a cursor walks 1..65535 and wraps; ids in use are kept in a Set sized by the
 * number of ids in use (not a 64 KiB bitmap per session, which a broker with many sessions
 * could not afford). `allocate()` skips ids in use, so an id still awaiting its
 * acknowledgement is never handed out again [MQTT-2.3.1-2]; when all 65,535 ids are in use it
 * throws MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED instead of looping. A session owns two
 * id spaces: this allocator for what it sends (PUBLISH, and a client's SUBSCRIBE and
 * UNSUBSCRIBE, which share it per the spec), and the peer's ids, tracked by the inbound flow.
 */
import { SessionError } from "./errors.js";

/** Largest packet identifier; 0 is not a valid id [MQTT-2.3.1-1]. */
export const MAX_PACKET_ID = 65_535;

/**
 * Id 0 is never allocated, so it stays in the Set for good: a Set that keeps oscillating
 * between 0 and 1 entries makes V8 shrink and regrow its table on every delete (an
 * allocation per acknowledgement on the hot path); a permanent entry avoids that.
 */
const SENTINEL = 0;

/**
 * Every allocator reads this shared Set (just the sentinel) until its first id, then gets its
 * own: an idle connection never pays for a Set (about 200 bytes). Typed read-only; writes go
 * through `ownInUse()`.
 */
const NONE_IN_USE: ReadonlySet<number> = new Set([SENTINEL]);

export class PacketIdAllocator {
  private inUse = NONE_IN_USE;
  private cursor: number;

  /** @param next where allocation continues (1-65535), e.g. from a snapshot. */
  constructor(next = 1) {
    this.cursor = next;
  }

  /** The id `allocate()` tries first. */
  get next(): number {
    return this.cursor;
  }

  /** How many ids are in use. */
  get size(): number {
    return this.inUse.size - 1;
  }

  /**
   * Returns an unused id and marks it in use.
   *
   * Throws: SessionError MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED when all 65,535 are in use.
   */
  allocate(): number {
    if (this.size >= MAX_PACKET_ID) {
      throw new SessionError(
        "MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED",
        "all 65535 packet identifiers are in use",
        { spec: "MQTT-2.3.1-2" },
      );
    }
    const inUse = this.ownInUse();
    let id = this.cursor;
    while (inUse.has(id)) id = id === MAX_PACKET_ID ? 1 : id + 1;
    inUse.add(id);
    this.cursor = id === MAX_PACKET_ID ? 1 : id + 1;
    return id;
  }

  /** Moves the cursor (restoring a snapshot). */
  reposition(next: number): void {
    this.cursor = next;
  }

  /** Marks an id (1-65535) taken without the cursor (restoring a snapshot). */
  claim(id: number): void {
    this.ownInUse().add(id);
  }

  /** The acknowledgement for `id` arrived: it may be reused [MQTT-2.3.1-3]. */
  release(id: number): void {
    if (id !== SENTINEL && this.inUse !== NONE_IN_USE) this.ownInUse().delete(id);
  }

  private ownInUse(): Set<number> {
    if (this.inUse === NONE_IN_USE) this.inUse = new Set([SENTINEL]);
    return this.inUse as Set<number>;
  }

  /** Whether `id` (1-65535) is allocated or claimed and not yet released. */
  isInUse(id: number): boolean {
    return id !== SENTINEL && this.inUse.has(id);
  }
}

/** True for a valid packet identifier (1-65535). */
export function isPacketId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_PACKET_ID;
}
