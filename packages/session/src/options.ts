/**
 * Options of ClientSession and ServerSession, their defaults and their validation.
 */
import type { ProtocolVersion } from "@ternmq/codec";
import { SessionError } from "./errors.js";
import type { QueueOverflowPolicy } from "./message-queue.js";
import { MAX_PACKET_ID } from "./packet-id-allocator.js";

export interface QueueOptions {
  /** Most messages waiting without a packet id (offline, or past the window). Default 1000. */
  maxMessages?: number;
  /** Most bytes (payload + topic length) waiting. Default 16 MiB. */
  maxBytes?: number;
  /**
   * What to do when a new message does not fit once the oldest QoS 0 messages have been
   * dropped: "reject-new" (default) drops the new message, "drop-oldest" drops the oldest.
   */
  overflow?: QueueOverflowPolicy;
  /** Queue QoS 0 messages published while disconnected. Default false (they are dropped). */
  queueQoS0WhileOffline?: boolean;
}

export interface SessionOptions {
  /** 3 (3.1), 4 (3.1.1, default) or 5 (5.0). Decides 5.0 reason codes on acknowledgements. */
  protocolVersion?: ProtocolVersion;
  /**
   * Most outbound QoS 1/2 PUBLISH awaiting acknowledgement. Default 100. With 5.0, pass the
   * peer's Receive Maximum to `connected()` instead [MQTT-4.9.0-2].
   */
  inflightWindow?: number;
  /**
   * Most inbound QoS 1/2 PUBLISH the peer may have unacknowledged (this side's 5.0 Receive
   * Maximum); more is MQTT_ERR_SESSION_RECEIVE_MAXIMUM_EXCEEDED. Default 65535.
   */
  receiveMaximum?: number;
  queue?: QueueOptions;
  /**
   * Resend an unacknowledged PUBLISH / PUBREL (DUP=1) after this many ms on the same
   * connection. Default undefined: off, as 3.1.1 prefers; 5.0 forbids it [MQTT-4.4.0-1].
   */
  retryIntervalMs?: number;
  /**
   * Acknowledge inbound QoS 1/2 PUBLISH at once (PUBACK / PUBREC in the same Step).
   * Default false: the shell calls `acknowledge(packetId, now)` once the message is safe.
   */
  autoAcknowledge?: boolean;
  /** Keep Alive of the connection in seconds (0 = off). `connected()` may override it. */
  keepaliveSeconds?: number;
  /**
   * Journal every state change: each Step carries `changes`, the change from the snapshot
   * before the call to the one after, for `SessionStore.update`. Default false: Steps carry
   * no `changes` and nothing is recorded (no cost for sessions that are not persisted).
   */
  journal?: boolean;
}

export interface ClientSessionOptions extends SessionOptions {
  /** Client: how long to wait for PINGRESP before `ping-timeout`. Default: the keepalive. */
  pingTimeoutMs?: number;
}

export type ServerSessionOptions = SessionOptions;

/** SessionOptions with every default applied. */
export interface ResolvedOptions {
  protocolVersion: ProtocolVersion;
  inflightWindow: number;
  receiveMaximum: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  overflow: QueueOverflowPolicy;
  queueQoS0WhileOffline: boolean;
  retryIntervalMs: number | undefined;
  autoAcknowledge: boolean;
  keepaliveSeconds: number;
  journal: boolean;
}

export const DEFAULT_INFLIGHT_WINDOW = 100;
export const DEFAULT_MAX_QUEUED_MESSAGES = 1000;
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

function invalid(name: string, value: unknown): never {
  throw new SessionError(
    "MQTT_ERR_SESSION_INVALID_OPTION",
    `invalid session option ${name}: ${String(value)}`,
  );
}

/** Throws MQTT_ERR_SESSION_INVALID_OPTION unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalid(name, value);
  return value;
}

export function resolveOptions(options: SessionOptions): ResolvedOptions {
  const protocolVersion = options.protocolVersion ?? 4;
  if (protocolVersion !== 3 && protocolVersion !== 4 && protocolVersion !== 5) {
    invalid("protocolVersion", protocolVersion);
  }
  const retryIntervalMs = options.retryIntervalMs;
  if (retryIntervalMs !== undefined) {
    if (!(retryIntervalMs > 0)) invalid("retryIntervalMs", retryIntervalMs);
    // [MQTT-4.4.0-1] (5.0): "Clients and Servers MUST NOT resend messages at any other time".
    if (protocolVersion === 5) invalid("retryIntervalMs (forbidden by MQTT 5.0)", retryIntervalMs);
  }
  const queue = options.queue ?? {};
  const overflow = queue.overflow ?? "reject-new";
  if (overflow !== "reject-new" && overflow !== "drop-oldest") invalid("queue.overflow", overflow);
  return {
    protocolVersion,
    inflightWindow: checkInteger(
      "inflightWindow",
      options.inflightWindow ?? DEFAULT_INFLIGHT_WINDOW,
      1,
      MAX_PACKET_ID,
    ),
    receiveMaximum: checkInteger(
      "receiveMaximum",
      options.receiveMaximum ?? MAX_PACKET_ID,
      1,
      MAX_PACKET_ID,
    ),
    maxQueuedMessages: checkInteger(
      "queue.maxMessages",
      queue.maxMessages ?? DEFAULT_MAX_QUEUED_MESSAGES,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxQueuedBytes: checkInteger(
      "queue.maxBytes",
      queue.maxBytes ?? DEFAULT_MAX_QUEUED_BYTES,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    overflow,
    queueQoS0WhileOffline: queue.queueQoS0WhileOffline ?? false,
    retryIntervalMs,
    autoAcknowledge: options.autoAcknowledge ?? false,
    keepaliveSeconds: checkInteger("keepaliveSeconds", options.keepaliveSeconds ?? 0, 0, 65_535),
    journal: options.journal === true,
  };
}
