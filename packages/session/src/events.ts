/**
 * Events a session hands to its shell, in the `events` of a Step.
 *
 * Design: events carry the application's own `SessionMessage` object (by reference) where
 * one exists, so a shell can map it back to the promise or callback of the `publish()` that
 * queued it without the engine knowing about promises.
 */
import type { SessionMessage } from "./snapshot.js";

/**
 * An application message arrived from the peer (inbound PUBLISH), delivered once for QoS 2
 * [MQTT-4.3.3-2] and at least once for QoS 1.
 *
 * When `ackRequired` is true the engine has NOT acknowledged it yet: once the message is
 * safely handed over (or durably written), call `session.acknowledge(packetId, now)` and send
 * the PUBACK (QoS 1) or PUBREC (QoS 2) it returns. With `autoAcknowledge` the acknowledgement
 * is in the same Step and `ackRequired` is false.
 */
export interface MessageEvent {
  readonly type: "message";
  readonly message: SessionMessage;
  /** The peer's packet id (absent for QoS 0). */
  readonly packetId: number | undefined;
  /** DUP flag of the PUBLISH that was delivered. */
  readonly dup: boolean;
  readonly ackRequired: boolean;
}

/**
 * An outbound QoS 1/2 flow finished: PUBACK (QoS 1), PUBCOMP (QoS 2), or a 5.0 PUBREC with
 * a failure reason code (>= 0x80), after which the message is not retransmitted
 * [MQTT-4.4.0-2 (5.0)].
 */
export interface PublishCompleteEvent {
  readonly type: "publish-complete";
  readonly packetId: number;
  readonly qos: 1 | 2;
  /** The message published, unless the session was restored from a snapshot after PUBREC. */
  readonly message: SessionMessage | undefined;
  /** 5.0 reason code of the PUBACK / PUBREC / PUBCOMP; 0 when absent (success). */
  readonly reasonCode: number;
}

/** Why a message was dropped without being delivered. */
export type DropReason =
  /** The queue was at its count or byte limit (see `queue` options). */
  | "queue-full"
  /** QoS 0 published while disconnected and `queueQoS0WhileOffline` is false. */
  | "qos0-offline"
  /** The session was discarded (`connected` with `sessionPresent: false`). */
  | "session-discarded";

/** A message this side was asked to publish will never be sent (or resent). */
export interface MessageDroppedEvent {
  readonly type: "message-dropped";
  readonly reason: DropReason;
  readonly message: SessionMessage;
  /** Its packet id if it had one (inflight when the session was discarded). */
  readonly packetId: number | undefined;
}

/** SUBACK matched a pending SUBSCRIBE (client side). */
export interface SubscribeCompleteEvent {
  readonly type: "subscribe-complete";
  readonly packetId: number;
  /** Granted QoS (0-2), 0x80 failure (3.1.1), or 5.0 reason codes, one per subscription. */
  readonly reasonCodes: readonly number[];
}

/** UNSUBACK matched a pending UNSUBSCRIBE (client side). */
export interface UnsubscribeCompleteEvent {
  readonly type: "unsubscribe-complete";
  readonly packetId: number;
  /** 5.0 only: one reason code per topic filter. */
  readonly reasonCodes: readonly number[] | undefined;
}

/**
 * A SUBSCRIBE or UNSUBSCRIBE had no answer when the connection was lost. They are not
 * resent on reconnect (only PUBLISH and PUBREL are [MQTT-4.4.0-1]); the shell may retry.
 */
export interface RequestAbortedEvent {
  readonly type: "request-aborted";
  readonly kind: "subscribe" | "unsubscribe";
  readonly packetId: number;
}

/** Client side: a PINGREQ went unanswered for `pingTimeoutMs`; the link is dead. */
export interface PingTimeoutEvent {
  readonly type: "ping-timeout";
}

/** Server side: nothing was received for 1.5 x keepalive [MQTT-3.1.2-24]. */
export interface KeepaliveExpiredEvent {
  readonly type: "keepalive-expired";
}

export type SessionEvent =
  | MessageEvent
  | PublishCompleteEvent
  | MessageDroppedEvent
  | SubscribeCompleteEvent
  | UnsubscribeCompleteEvent
  | RequestAbortedEvent
  | PingTimeoutEvent
  | KeepaliveExpiredEvent;

export type SessionEventType = SessionEvent["type"];
