/**
 * Outbound QoS flows: this side sends PUBLISH and the peer acknowledges.
 *
 * Design: one class, used by both ClientSession and ServerSession. A message either goes
 * out at once (QoS 0, or QoS 1/2 with a free window slot and nothing queued ahead of it)
 * or waits in the MessageQueue; the queue drains, in order, whenever an acknowledgement
 * frees a slot or the connection comes back. Every method takes the session's StepBuilder
 * and adds packets and events to it; checks that can throw run before any state changes.
 * Each state change a snapshot holds is reported to the step's ChangeJournal where it
 * happens (journaling sessions only; see change-journal.ts).
 *
 *   QoS 0: PUBLISH                                                   (nothing kept)
 *   QoS 1: PUBLISH ──> awaiting-puback ──PUBACK──> done              [MQTT-4.3.2-1]
 *   QoS 2: PUBLISH ──> awaiting-pubrec ──PUBREC/PUBREL──> awaiting-pubcomp ──PUBCOMP──> done
 *                                                                    [MQTT-4.3.3-1]
 */
import type {
  PubackPacket,
  PubcompPacket,
  PublishPacket,
  PubrecPacket,
  PubrelPacket,
} from "@ternmq/codec";
import { REASON_PACKET_ID_NOT_FOUND, REASON_PROTOCOL_ERROR, SessionError } from "./errors.js";
import { InflightWindow, type OutboundEntry } from "./inflight-window.js";
import { MessageQueue, plainMessage } from "./message-queue.js";
import type { ResolvedOptions } from "./options.js";
import { MAX_PACKET_ID, PacketIdAllocator } from "./packet-id-allocator.js";
import type { OutboundInflight, SessionMessage, SessionSnapshot } from "./snapshot.js";
import type { StepBuilder } from "./step.js";

/** Builds the PUBLISH packet for `message`. */
export function publishPacket(
  message: SessionMessage,
  packetId: number | undefined,
  dup: boolean,
): PublishPacket {
  return {
    type: "publish",
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup,
    packetId,
    properties: message.properties,
  };
}

/** 5.0 reason codes of 0x80 and above are failures. */
function isFailure(reasonCode: number | undefined): boolean {
  return reasonCode !== undefined && reasonCode >= 0x80;
}

export class OutboundFlow {
  readonly ids: PacketIdAllocator;
  readonly window: InflightWindow;
  readonly queue: MessageQueue;

  constructor(private readonly options: ResolvedOptions) {
    this.ids = new PacketIdAllocator();
    this.window = new InflightWindow(options.inflightWindow);
    this.queue = new MessageQueue({
      maxMessages: options.maxQueuedMessages,
      maxBytes: options.maxQueuedBytes,
      overflow: options.overflow,
    });
  }

  /** Sends `message` now if it may go, else queues it (or drops it, with an event). */
  publish(message: SessionMessage, connected: boolean, now: number, step: StepBuilder): void {
    if (!connected) {
      if (message.qos === 0 && !this.options.queueQoS0WhileOffline) {
        this.queue.recordDrop(message, "qos0-offline", undefined, step);
        return;
      }
      this.queue.offer(message, step);
      return;
    }
    // Anything already queued goes first: messages leave in publish order [MQTT-4.6.0-6].
    if (this.queue.size === 0 && this.trySend(message, now, step)) return;
    this.queue.offer(message, step);
  }

  /** Sends queued messages while the window and the id space allow. */
  drain(now: number, step: StepBuilder): void {
    for (let next = this.queue.peek(); next !== undefined; next = this.queue.peek()) {
      if (!this.trySend(next, now, step)) return;
      this.queue.shift(step);
    }
  }

  private trySend(message: SessionMessage, now: number, step: StepBuilder): boolean {
    if (message.qos === 0) {
      step.send(publishPacket(message, undefined, false));
      return true;
    }
    if (!this.window.hasRoom || this.ids.size >= MAX_PACKET_ID) return false;
    const packetId = this.allocateId(step);
    const state = message.qos === 1 ? "awaiting-puback" : "awaiting-pubrec";
    const entry: OutboundEntry = { packetId, state, message, sentAt: now };
    this.window.add(entry);
    step.journal?.inflightAdded(inflightRecord(entry));
    step.send(publishPacket(message, packetId, false));
    return true;
  }

  /**
   * A packet id for a PUBLISH (or a client's SUBSCRIBE/UNSUBSCRIBE); the cursor move is
   * journaled. Throws MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED like `PacketIdAllocator`.
   */
  allocateId(step: StepBuilder): number {
    const packetId = this.ids.allocate();
    step.journal?.nextPacketIdMoved(this.ids.next);
    return packetId;
  }

  /** PUBACK: a QoS 1 flow ends. PUBACK for an unknown id is ignored (a late duplicate). */
  handlePuback(packet: PubackPacket, now: number, step: StepBuilder): void {
    const entry = this.window.get(packet.packetId);
    if (entry === undefined) return;
    if (entry.state !== "awaiting-puback") {
      throw new SessionError(
        "MQTT_ERR_SESSION_PUBACK_FOR_QOS2",
        `PUBACK for packet id ${packet.packetId}, which was sent at QoS 2`,
        { spec: "MQTT-4.3.3-1", reasonCode: REASON_PROTOCOL_ERROR, packetId: packet.packetId },
      );
    }
    this.complete(entry, 1, packet.reasonCode ?? 0, now, step);
  }

  /**
   * PUBREC: the QoS 2 message is now owned by the receiver; answer PUBREL and never resend
   * the PUBLISH [MQTT-4.3.3-1]. A duplicate PUBREC is answered by PUBREL again; a PUBREC for
   * an unknown id is answered by PUBREL (0x92 at 5.0) so the receiver can finish.
   */
  handlePubrec(packet: PubrecPacket, now: number, step: StepBuilder): void {
    const packetId = packet.packetId;
    const entry = this.window.get(packetId);
    if (entry === undefined) {
      step.send(this.pubrel(packetId, REASON_PACKET_ID_NOT_FOUND));
      return;
    }
    if (entry.state === "awaiting-puback") {
      throw new SessionError(
        "MQTT_ERR_SESSION_PUBREC_FOR_QOS1",
        `PUBREC for packet id ${packetId}, which was sent at QoS 1`,
        { spec: "MQTT-4.3.2-1", reasonCode: REASON_PROTOCOL_ERROR, packetId },
      );
    }
    if (entry.state === "awaiting-pubrec" && isFailure(packet.reasonCode)) {
      // [MQTT-4.4.0-2] (5.0): a failed PUBREC ends the flow; nothing is retransmitted.
      this.complete(entry, 2, packet.reasonCode ?? 0, now, step);
      return;
    }
    if (entry.state === "awaiting-pubrec") {
      entry.state = "awaiting-pubcomp";
      step.journal?.inflightChanged(inflightRecord(entry));
    }
    entry.sentAt = now;
    step.send(this.pubrel(packetId, undefined));
  }

  /** PUBCOMP: a QoS 2 flow ends. Unknown ids are ignored; other states are violations. */
  handlePubcomp(packet: PubcompPacket, now: number, step: StepBuilder): void {
    const entry = this.window.get(packet.packetId);
    if (entry === undefined) return;
    if (entry.state !== "awaiting-pubcomp") {
      throw new SessionError(
        "MQTT_ERR_SESSION_PUBCOMP_OUT_OF_STATE",
        `PUBCOMP for packet id ${packet.packetId} before its PUBREC/PUBREL`,
        { spec: "MQTT-4.3.3-1", reasonCode: REASON_PROTOCOL_ERROR, packetId: packet.packetId },
      );
    }
    this.complete(entry, 2, packet.reasonCode ?? 0, now, step);
  }

  private complete(
    entry: OutboundEntry,
    qos: 1 | 2,
    reasonCode: number,
    now: number,
    step: StepBuilder,
  ): void {
    this.window.delete(entry.packetId);
    this.ids.release(entry.packetId); // [MQTT-2.3.1-3]
    step.journal?.inflightRemoved(entry.packetId);
    step.event({
      type: "publish-complete",
      packetId: entry.packetId,
      qos,
      message: entry.message,
      reasonCode,
    });
    this.drain(now, step);
  }

  /**
   * Resends every unacknowledged PUBLISH (DUP=1, original id) and every PUBREL, in the order
   * the PUBLISH packets were first sent [MQTT-4.4.0-1] [MQTT-4.6.0-1] [MQTT-3.3.1-1]; with
   * `dueBefore`, only those last sent at or before it (in-session retry).
   */
  resend(now: number, step: StepBuilder, dueBefore = Number.POSITIVE_INFINITY): void {
    for (const entry of this.window.values()) {
      if (entry.sentAt > dueBefore) continue;
      entry.sentAt = now;
      if (entry.state === "awaiting-pubcomp") {
        step.send(this.pubrel(entry.packetId, undefined));
      } else if (entry.message !== undefined) {
        step.send(publishPacket(entry.message, entry.packetId, true));
      }
    }
  }

  /** Earliest time an inflight entry is due for an in-session retry. */
  nextRetryAt(retryIntervalMs: number): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.window.values()) {
      if (earliest === undefined || entry.sentAt < earliest) earliest = entry.sentAt;
    }
    return earliest === undefined ? undefined : earliest + retryIntervalMs;
  }

  /**
   * Clean session: forgets every inflight flow (and, with `includeQueue`, every queued
   * message), reporting each message as dropped. Journaled as removals of everything, plus
   * the (unchanged) id cursor, so the stored record needs nothing else.
   */
  discard(includeQueue: boolean, step: StepBuilder): void {
    const entries = this.window.values();
    for (const entry of entries) {
      this.ids.release(entry.packetId);
      step.journal?.inflightRemoved(entry.packetId);
      if (entry.message !== undefined) {
        this.queue.recordDrop(entry.message, "session-discarded", entry.packetId, step);
      }
    }
    this.window.clear();
    const dropsQueue = includeQueue && this.queue.size > 0;
    if (dropsQueue) {
      for (const message of this.queue.drain(step)) {
        this.queue.recordDrop(message, "session-discarded", undefined, step);
      }
    }
    if (entries.length > 0 || dropsQueue) step.journal?.nextPacketIdMoved(this.ids.next);
  }

  snapshot(): SessionSnapshot["outbound"] {
    return {
      inflight: this.window.values().map(inflightRecord),
      queued: this.queue.plainMessages(),
      nextPacketId: this.ids.next,
    };
  }

  /** Loads a validated snapshot into an empty flow. */
  restore(outbound: SessionSnapshot["outbound"]): void {
    for (const item of outbound.inflight) {
      this.ids.claim(item.packetId);
      this.window.add({
        packetId: item.packetId,
        state: item.state,
        message: item.state === "awaiting-pubcomp" ? undefined : item.message,
        sentAt: Number.NEGATIVE_INFINITY,
      });
    }
    this.ids.reposition(outbound.nextPacketId);
    this.queue.restore(outbound.queued);
  }

  private pubrel(packetId: number, notFoundReason: number | undefined): PubrelPacket {
    if (notFoundReason !== undefined && this.options.protocolVersion === 5) {
      return { type: "pubrel", packetId, reasonCode: notFoundReason };
    }
    return { type: "pubrel", packetId };
  }
}

/** `entry` as a snapshot (and a journal) holds it: after PUBREC, the id alone. */
function inflightRecord(entry: OutboundEntry): OutboundInflight {
  if (entry.state === "awaiting-pubcomp" || entry.message === undefined) {
    return { packetId: entry.packetId, state: "awaiting-pubcomp" };
  }
  return { packetId: entry.packetId, state: entry.state, message: plainMessage(entry.message) };
}
