/**
 * Why a PubSubClient call returned false. PubSubClient 2.8 only answers `false`
 * (knolleary/pubsubclient#152, #193, #311, #958); `lastError()` keeps the boolean API and adds
 * the reason as a `PubSubClientError` with a stable `code`.
 */
import { MqttError, type MqttErrorOptions } from "@ternmq/codec";

/** Every `PubSubClientError.code`; the README has the table of when each is set. */
export type PubSubClientErrorCode =
  | "PUBSUB_ERR_NO_CLIENT"
  | "PUBSUB_ERR_NO_SERVER"
  | "PUBSUB_ERR_TCP_CONNECT_FAILED"
  | "PUBSUB_ERR_CONNECT_TIMEOUT"
  | "PUBSUB_ERR_CONNECTION_REFUSED"
  | "PUBSUB_ERR_UNEXPECTED_PACKET"
  | "PUBSUB_ERR_PROTOCOL_ERROR"
  | "PUBSUB_ERR_CONNECTION_LOST"
  | "PUBSUB_ERR_PING_TIMEOUT"
  | "PUBSUB_ERR_NOT_CONNECTED"
  | "PUBSUB_ERR_PACKET_TOO_LARGE"
  | "PUBSUB_ERR_RECEIVED_PACKET_TOO_LARGE"
  | "PUBSUB_ERR_INVALID_QOS"
  | "PUBSUB_ERR_INVALID_ARGUMENT"
  | "PUBSUB_ERR_INVALID_BUFFER_SIZE"
  | "PUBSUB_ERR_WRITE_FAILED"
  | "PUBSUB_ERR_NO_PUBLISH_IN_PROGRESS"
  | "PUBSUB_ERR_PUBLISH_IN_PROGRESS"
  | "PUBSUB_ERR_PUBLISH_LENGTH_MISMATCH";

export interface PubSubClientErrorOptions extends MqttErrorOptions {
  /** The `state()` value at the time of the failure. */
  state?: number;
  /** The `code` of the codec or session error behind this one. */
  causeCode?: string;
}

/** The reason for a `false` (see `PubSubClient.lastError()`); never thrown by the facade. */
export class PubSubClientError extends MqttError<PubSubClientErrorCode> {
  /** The `state()` value at the time of the failure. */
  readonly state: number | undefined;
  /**
   * For PUBSUB_ERR_PROTOCOL_ERROR and PUBSUB_ERR_INVALID_ARGUMENT: the `code` of the codec or
   * session error behind it (e.g. "MQTT_ERR_RESERVED_PACKET_TYPE"), which is also `cause`.
   */
  readonly causeCode: string | undefined;

  constructor(
    code: PubSubClientErrorCode,
    message: string,
    options: PubSubClientErrorOptions = {},
  ) {
    super(code, message, options);
    this.state = options.state;
    this.causeCode = options.causeCode;
  }
}
