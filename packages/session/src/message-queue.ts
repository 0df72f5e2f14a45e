/**
 * Bounded FIFO of outbound messages that have no packet id yet.
 *
 * Design: one queue serves two purposes with one set of limits: while connected it holds
 * the messages past the inflight window, while disconnected it is the offline queue of a
 * persistent session. Messages leave it strictly in the order they entered, which keeps
 * [MQTT-4.6.0-6] order for every topic and QoS. Limits are a message count and a byte total
 * (payload bytes + topic length). When a new message does not fit, the oldest QoS 0 messages
 * are dropped first; if that is not enough, the policy decides: "reject-new" drops the new
 * message, "drop-oldest" drops the oldest messages whatever their QoS. Every drop becomes a
 * `message-dropped` event and is counted. A message larger than the byte limit on its own is
 * always rejected (dropping everything else would not make it fit). Every change is also
 * reported to the step's ChangeJournal when the session journals.
 */
import type { DropReason } from "./events.js";
import type { SessionMessage } from "./snapshot.js";
import type { StepBuilder } from "./step.js";

export type QueueOverflowPolicy = "reject-new" | "drop-oldest";

export interface MessageQueueLimits {
  maxMessages: number;
  maxBytes: number;
  overflow: QueueOverflowPolicy;
}

/** A copy of `message` with exactly the SessionMessage fields (no packet fields). */
export function plainMessage(message: SessionMessage): SessionMessage {
  const copy: SessionMessage = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
  };
  if (message.properties !== undefined) copy.properties = message.properties;
  return copy;
}

/** Bytes a message counts for against `maxBytes`. */
export function messageSize(message: SessionMessage): number {
  return message.payload.byteLength + message.topic.length;
}

export class MessageQueue {
  private items: (SessionMessage | undefined)[] = [];
  private head = 0;
  private totalBytes = 0;
  /** Messages dropped since the session was created (see `recordDrop`). */
  dropped = 0;

  constructor(public limits: MessageQueueLimits) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  peek(): SessionMessage | undefined {
    return this.items[this.head];
  }

  shift(step: StepBuilder): SessionMessage | undefined {
    const message = this.items[this.head];
    if (message === undefined) return undefined;
    step.journal?.queueShifted(this.size);
    this.items[this.head] = undefined;
    this.head++;
    this.totalBytes -= messageSize(message);
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /**
   * Appends `message` if the limits allow, dropping per the policy; every drop (including
   * the new message itself) is added to `step` as a `message-dropped` event.
   * Returns whether `message` was queued.
   */
  offer(message: SessionMessage, step: StepBuilder): boolean {
    const size = messageSize(message);
    const { maxMessages, maxBytes, overflow } = this.limits;
    if (size > maxBytes || maxMessages <= 0) return this.reject(message, step);
    while (this.size >= maxMessages || this.totalBytes + size > maxBytes) {
      const victim =
        this.removeOldestQoS0(step) ?? (overflow === "drop-oldest" ? this.shift(step) : undefined);
      if (victim === undefined) return this.reject(message, step);
      this.reject(victim, step);
    }
    step.journal?.queueAppended(plainMessage(message), this.size);
    this.items.push(message);
    this.totalBytes += size;
    return true;
  }

  /** Appends restored messages as they were, outside the limits (nothing is lost). */
  restore(messages: readonly SessionMessage[]): void {
    for (const message of messages) {
      this.items.push(message);
      this.totalBytes += messageSize(message);
    }
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(step: StepBuilder): SessionMessage[] {
    const all = this.toArray();
    step.journal?.queueCleared(all.length);
    this.items = [];
    this.head = 0;
    this.totalBytes = 0;
    return all;
  }

  /** Oldest first; a copy. */
  toArray(): SessionMessage[] {
    return this.items.slice(this.head) as SessionMessage[];
  }

  /** Oldest first, each a `plainMessage` copy (snapshots and journals). */
  plainMessages(): SessionMessage[] {
    const messages: SessionMessage[] = [];
    for (let index = this.head; index < this.items.length; index++) {
      const message = this.items[index];
      if (message !== undefined) messages.push(plainMessage(message));
    }
    return messages;
  }

  /** Counts a dropped message and reports it as a `message-dropped` event. */
  recordDrop(
    message: SessionMessage,
    reason: DropReason,
    packetId: number | undefined,
    step: StepBuilder,
  ): void {
    this.dropped++;
    step.event({ type: "message-dropped", reason, message, packetId });
  }

  private reject(message: SessionMessage, step: StepBuilder): false {
    this.recordDrop(message, "queue-full", undefined, step);
    return false;
  }

  private removeOldestQoS0(step: StepBuilder): SessionMessage | undefined {
    for (let index = this.head; index < this.items.length; index++) {
      const message = this.items[index];
      if (message?.qos === 0) {
        if (index === this.head) return this.shift(step);
        const sizeBefore = this.size;
        this.items.splice(index, 1);
        this.totalBytes -= messageSize(message);
        step.journal?.queueRemovedAt(index - this.head, sizeBefore, this);
        return message;
      }
    }
    return undefined;
  }
}
