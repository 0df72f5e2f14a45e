/** What both entry points (Node and browser) export besides `connect`/`connectAsync`. */

export { MemorySessionStore, type SessionStore } from "@ternmq/session";
export type {
  ClientEvents,
  EndOptions,
  MessagesOptions,
  PublishOptions,
  SubscribeFilters,
  SubscribeOptions,
  SubscribeResult,
} from "./api-types.js";
export { type ClientState, MqttClient } from "./client.js";
export { ClientError, type ClientErrorCode } from "./errors.js";
export type {
  ClientOptions,
  ClientTlsOptions,
  OfflineQueueOptions,
  ReconnectOptions,
  WillOptions,
} from "./options.js";
export type { ReceivedMessage } from "./received-message.js";
export type { Timers } from "./timers.js";
export type {
  ServerAddress,
  Transport,
  TransportCallbacks,
  TransportFactory,
} from "./transport.js";
