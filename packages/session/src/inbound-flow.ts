/**
 * Inbound QoS flows: the peer sends PUBLISH and this side acknowledges.
 *
 * Design: the peer's packet ids are a space of their own, separate from the ids this side
 * allocates. An inbound QoS 1/2 message goes through two stages:
 *
 * | stage               | entered on                      | left on                         |
 * |---------------------|---------------------------------|---------------------------------|
 * | unacknowledged      | PUBLISH delivered (event)       | acknowledge(): PUBACK or PUBREC |
 * | awaiting-pubrel     | acknowledge() of a QoS 2 message| PUBREL: PUBCOMP sent            |
 *
 * The shell may acknowledge in any order; acknowledgements are released in the order the
 * PUBLISH packets arrived ([MQTT-4.6.0-2] PUBACK, [MQTT-4.6.0-3] PUBREC order), so an
 * acknowledged message waits behind an older unacknowledged one. A duplicate PUBLISH is
 * never delivered twice while its id is known: QoS 2 until PUBREL [MQTT-4.3.3-2], QoS 1
 * until it is acknowledged. Acknowledging while disconnected sends nothing: the peer
 * resends the PUBLISH on reconnect, and a QoS 2 id awaiting PUBREL is then answered by
 * PUBREC without a second delivery.
 */
import type { PublishPacket, PubrelPacket } from "@ternmq/codec";
import {
  REASON_PACKET_ID_IN_USE,
  REASON_PACKET_ID_NOT_FOUND,
  REASON_PROTOCOL_ERROR,
  REASON_RECEIVE_MAXIMUM_EXCEEDED,
  SessionError,
} from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { StepBuilder } from "./step.js";

interface Unacknowledged {
  readonly qos: 1 | 2;
  acknowledged: boolean;
}

/**
 * Packet id 0 is never valid, so both collections keep it as a permanent first entry: a
 * Map or Set that keeps going from 1 entry to 0 makes V8 reallocate its table on every
 * delete (see InflightWindow). Sizes subtract it; iteration skips it.
 */
const PLACEHOLDER_ID = 0;
const PLACEHOLDER: Unacknowledged = { qos: 1, acknowledged: false };

/*
 * Every flow reads these shared collections (just the placeholder) until its first QoS 1/2
 * PUBLISH, then gets its own: an idle connection or a QoS 0 client never pays for a Map and a
 * Set (about 450 bytes). They are typed read-only; writes go through `own...()`.
 */
const NO_UNACKNOWLEDGED: ReadonlyMap<number, Unacknowledged> = new Map([
  [PLACEHOLDER_ID, PLACEHOLDER],
]);
const NONE_AWAITING_PUBREL: ReadonlySet<number> = new Set([PLACEHOLDER_ID]);

export class InboundFlow {
  /** Delivered, not yet acknowledged to the peer; in arrival order (after the placeholder). */
  private unacknowledged = NO_UNACKNOWLEDGED;
  /** QoS 2 ids answered (or to be answered) with PUBREC, awaiting PUBREL; arrival order. */
  private awaitingPubrel = NONE_AWAITING_PUBREL;

  constructor(private readonly options: ResolvedOptions) {}

  /** How many inbound QoS 1/2 flows are open (counts against this side's Receive Maximum). */
  get openFlows(): number {
    return this.unacknowledged.size + this.awaitingPubrel.size - 2;
  }

  /** True while the peer may not reuse `packetId` for a new packet. */
  isInUse(packetId: number): boolean {
    return (
      packetId !== PLACEHOLDER_ID &&
      (this.unacknowledged.has(packetId) || this.awaitingPubrel.has(packetId))
    );
  }

  /** A PUBLISH arrived (so the session is connected). */
  handlePublish(packet: PublishPacket, step: StepBuilder): void {
    if (packet.qos === 0) {
      step.event({
        type: "message",
        message: packet,
        packetId: undefined,
        dup: false,
        ackRequired: false,
      });
      return;
    }
    const packetId = packet.packetId;
    if (packetId === undefined || packetId === PLACEHOLDER_ID) {
      throw new SessionError(
        "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
        `QoS ${packet.qos} PUBLISH without a packet id`,
        { spec: "MQTT-2.3.1-1", reasonCode: REASON_PROTOCOL_ERROR },
      );
    }
    const pending = this.unacknowledged.get(packetId);
    const awaitingPubrel = this.awaitingPubrel.has(packetId);
    if (
      (pending !== undefined && pending.qos !== packet.qos) ||
      (awaitingPubrel && packet.qos === 1)
    ) {
      throw new SessionError(
        "MQTT_ERR_SESSION_PACKET_ID_IN_USE",
        `PUBLISH at QoS ${packet.qos} reuses packet id ${packetId} of an unfinished flow`,
        { spec: "MQTT-2.3.1-2", reasonCode: REASON_PACKET_ID_IN_USE, packetId },
      );
    }
    if (awaitingPubrel) {
      // A duplicate before PUBREL: PUBREC again, no second delivery [MQTT-4.3.3-2].
      step.send({ type: "pubrec", packetId });
      return;
    }
    // A duplicate of a message the shell has not acknowledged yet: it is being handled.
    if (pending !== undefined) return;
    if (this.openFlows >= this.options.receiveMaximum) {
      throw new SessionError(
        "MQTT_ERR_SESSION_RECEIVE_MAXIMUM_EXCEEDED",
        `more than ${this.options.receiveMaximum} unacknowledged QoS 1/2 PUBLISH received`,
        { spec: "MQTT-4.9.0-2", reasonCode: REASON_RECEIVE_MAXIMUM_EXCEEDED, packetId },
      );
    }
    const auto = this.options.autoAcknowledge;
    step.event({ type: "message", message: packet, packetId, dup: packet.dup, ackRequired: !auto });
    if (auto && this.unacknowledged.size === 1) {
      // Nothing older is waiting, so the acknowledgement goes out at once (hot path: no
      // entry, no iteration).
      this.release(packetId, packet.qos, true, step);
      return;
    }
    this.ownUnacknowledged().set(packetId, { qos: packet.qos, acknowledged: false });
    if (auto) this.acknowledge(packetId, true, step);
  }

  /**
   * The shell has the message safely: release PUBACK / PUBREC for it and for every newer
   * acknowledged message queued behind it. Unknown or already acknowledged ids are ignored
   * (e.g. the session was discarded meanwhile).
   */
  acknowledge(packetId: number, connected: boolean, step: StepBuilder): void {
    const target = this.unacknowledged.get(packetId);
    if (target === undefined || target === PLACEHOLDER || target.acknowledged) return;
    target.acknowledged = true;
    const unacknowledged = this.ownUnacknowledged();
    for (const [id, pending] of unacknowledged) {
      if (pending === PLACEHOLDER) continue;
      if (!pending.acknowledged) return;
      unacknowledged.delete(id);
      this.release(id, pending.qos, connected, step);
    }
  }

  /** Sends PUBACK (QoS 1) or PUBREC (QoS 2, then awaiting PUBREL) for `packetId`. */
  private release(packetId: number, qos: 1 | 2, connected: boolean, step: StepBuilder): void {
    if (qos === 1) {
      if (connected) step.send({ type: "puback", packetId });
    } else {
      this.ownAwaitingPubrel().add(packetId);
      step.journal?.awaitingPubrelAdded(packetId);
      if (connected) step.send({ type: "pubrec", packetId });
    }
  }

  /**
   * PUBREL: answer PUBCOMP and forget the id [MQTT-4.3.3-2]; an unknown id also gets
   * PUBCOMP (0x92 at 5.0) so the sender can finish. PUBREL for a message whose PUBREC was
   * never sent is a violation.
   */
  handlePubrel(packet: PubrelPacket, step: StepBuilder): void {
    const packetId = packet.packetId;
    if (
      packetId !== PLACEHOLDER_ID &&
      this.awaitingPubrel !== NONE_AWAITING_PUBREL &&
      this.ownAwaitingPubrel().delete(packetId)
    ) {
      step.journal?.awaitingPubrelRemoved(packetId);
      step.send({ type: "pubcomp", packetId });
      return;
    }
    if (packetId !== PLACEHOLDER_ID && this.unacknowledged.has(packetId)) {
      throw new SessionError(
        "MQTT_ERR_SESSION_PUBREL_OUT_OF_STATE",
        `PUBREL for packet id ${packetId} before PUBREC was sent`,
        { spec: "MQTT-4.3.3-1", reasonCode: REASON_PROTOCOL_ERROR, packetId },
      );
    }
    if (this.options.protocolVersion === 5) {
      step.send({ type: "pubcomp", packetId, reasonCode: REASON_PACKET_ID_NOT_FOUND });
    } else {
      step.send({ type: "pubcomp", packetId });
    }
  }

  /** Clean session: forget everything. */
  discard(step: StepBuilder): void {
    const journal = step.journal;
    if (journal !== undefined) {
      for (const packetId of this.awaitingPubrel) {
        if (packetId !== PLACEHOLDER_ID) journal.awaitingPubrelRemoved(packetId);
      }
    }
    this.unacknowledged = NO_UNACKNOWLEDGED;
    this.awaitingPubrel = NONE_AWAITING_PUBREL;
  }

  /**
   * QoS 2 ids awaiting PUBREL. Unacknowledged messages are left out on purpose: they were
   * never acknowledged, so the peer still owns them and resends them.
   */
  snapshot(): number[] {
    const ids: number[] = [];
    for (const packetId of this.awaitingPubrel) if (packetId !== PLACEHOLDER_ID) ids.push(packetId);
    return ids;
  }

  restore(awaitingPubrel: readonly number[]): void {
    if (awaitingPubrel.length === 0) return;
    const own = this.ownAwaitingPubrel();
    for (const packetId of awaitingPubrel) own.add(packetId);
  }

  /** This flow's own `unacknowledged` Map, created on first write (see NO_UNACKNOWLEDGED). */
  private ownUnacknowledged(): Map<number, Unacknowledged> {
    if (this.unacknowledged === NO_UNACKNOWLEDGED) {
      this.unacknowledged = new Map([[PLACEHOLDER_ID, PLACEHOLDER]]);
    }
    return this.unacknowledged as Map<number, Unacknowledged>;
  }

  /** This flow's own `awaitingPubrel` Set, created on first write. */
  private ownAwaitingPubrel(): Set<number> {
    if (this.awaitingPubrel === NONE_AWAITING_PUBREL) {
      this.awaitingPubrel = new Set([PLACEHOLDER_ID]);
    }
    return this.awaitingPubrel as Set<number>;
  }
}
