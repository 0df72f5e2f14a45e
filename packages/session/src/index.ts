export { ClientSession, type RequestStep } from "./client-session.js";
export {
  REASON_PACKET_ID_IN_USE,
  REASON_PACKET_ID_NOT_FOUND,
  REASON_PROTOCOL_ERROR,
  REASON_RECEIVE_MAXIMUM_EXCEEDED,
  SessionError,
  type SessionErrorCode,
} from "./errors.js";
export type {
  DropReason,
  KeepaliveExpiredEvent,
  MessageDroppedEvent,
  MessageEvent,
  PingTimeoutEvent,
  PublishCompleteEvent,
  RequestAbortedEvent,
  SessionEvent,
  SessionEventType,
  SubscribeCompleteEvent,
  UnsubscribeCompleteEvent,
} from "./events.js";
export { messageSize, type QueueOverflowPolicy } from "./message-queue.js";
export {
  type ClientSessionOptions,
  DEFAULT_INFLIGHT_WINDOW,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_MESSAGES,
  type QueueOptions,
  type ServerSessionOptions,
  type SessionOptions,
} from "./options.js";
export { MAX_PACKET_ID, PacketIdAllocator } from "./packet-id-allocator.js";
export { ServerSession } from "./server-session.js";
export {
  type ConnectionInfo,
  Session,
  type SessionCounters,
  type SessionState,
} from "./session.js";
export * from "./snapshot.js";
export { snapshotFromJson, snapshotToJson } from "./snapshot-json.js";
export { EMPTY_STEP, type Step } from "./step.js";
export * from "./store/index.js";
