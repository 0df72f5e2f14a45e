/**
 * ClientError: every failure the client reports, by rejecting a promise or through the
 * `error` event, with a stable string `code` (see the README's table). Callers branch on
 * `code`, never on `message`.
 */
import { MqttError, type MqttErrorOptions } from "@ternmq/codec";

/** Every `ClientError.code`. */
export type ClientErrorCode =
  | "MQTT_ERR_CLIENT_CONNACK_REFUSED"
  | "MQTT_ERR_CLIENT_CONNECT_TIMEOUT"
  | "MQTT_ERR_CLIENT_CONNECTION_CLOSED"
  | "MQTT_ERR_CLIENT_ENDED"
  | "MQTT_ERR_CLIENT_QUEUE_FULL"
  | "MQTT_ERR_CLIENT_PACKET_IDS_EXHAUSTED"
  | "MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED"
  | "MQTT_ERR_CLIENT_INVALID_ARGUMENT"
  | "MQTT_ERR_CLIENT_PROTOCOL"
  | "MQTT_ERR_CLIENT_NETWORK"
  | "MQTT_ERR_CLIENT_PING_TIMEOUT"
  | "MQTT_ERR_CLIENT_STORE";

export interface ClientErrorOptions extends MqttErrorOptions {
  /** MQTT_ERR_CLIENT_CONNACK_REFUSED: the CONNACK return code (1-5). */
  returnCode?: number;
  /** MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED: the SUBACK return code of each filter, in order. */
  returnCodes?: readonly number[];
}

export class ClientError extends MqttError<ClientErrorCode> {
  /** MQTT_ERR_CLIENT_CONNACK_REFUSED: the CONNACK return code (1-5). */
  readonly returnCode: number | undefined;
  /** MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED: the return code of each filter, in order. */
  readonly returnCodes: readonly number[] | undefined;

  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(code, message, options);
    this.returnCode = options.returnCode;
    this.returnCodes = options.returnCodes;
  }

  /** True for a ClientError from any copy of this package. */
  static isClientError(value: unknown): value is ClientError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_CLIENT_");
  }
}

/** MQTT_ERR_CLIENT_INVALID_ARGUMENT wrapping the codec/topics/session error behind it. */
export function invalidArgument(message: string, cause?: unknown): ClientError {
  const options: ClientErrorOptions = {};
  if (cause !== undefined) options.cause = cause;
  if (MqttError.isInstance(cause) && cause.spec !== undefined) options.spec = cause.spec;
  return new ClientError("MQTT_ERR_CLIENT_INVALID_ARGUMENT", message, options);
}
