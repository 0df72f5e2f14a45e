/** The option, result and event types of MqttClient's methods. */
import type { QoS } from "@ternmq/codec";
import type { ClientError } from "./errors.js";
import type { ReceivedMessage } from "./received-message.js";

/** Granted QoS (0-2) or 0x80 (refused) for one filter of a SUBSCRIBE. */
export interface SubscribeResult {
  topicFilter: string;
  returnCode: 0 | 1 | 2 | 0x80;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
}

export interface SubscribeOptions {
  /** QoS requested for filters given as a string or array. Default 0. */
  qos?: QoS;
  /** Reject with MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED when a filter gets 0x80. Default false. */
  rejectOnFailure?: boolean;
}

/** What `subscribe()` takes: one filter, several at one QoS, or a QoS per filter. */
export type SubscribeFilters = string | readonly string[] | Readonly<Record<string, { qos?: QoS }>>;

export interface EndOptions {
  /** Close at once; pending promises reject with MQTT_ERR_CLIENT_ENDED. Default false. */
  force?: boolean;
  /** How long a graceful end waits for inflight messages. Default 10000. */
  timeoutMs?: number;
}

export interface MessagesOptions {
  /** Messages buffered for a slow consumer before the oldest is dropped. Default 1000. */
  bufferSize?: number;
}

/** The events of MqttClient, with their arguments. */
export type ClientEvents = {
  connect: [connack: { sessionPresent: boolean }];
  reconnect: [];
  close: [];
  offline: [];
  error: [error: ClientError];
  message: [topic: string, payload: Uint8Array, message: ReceivedMessage];
  end: [];
};
