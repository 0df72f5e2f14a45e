/**
 * Errors the broker itself raises. Protocol violations of a client are the codec's,
 * the session engine's and the topics package's errors; the broker turns them into a closed
 * connection and logs their `code` once.
 */
import { MqttError } from "@ternmq/codec";

export type BrokerErrorCode =
  /** A BrokerOptions / BrokerLimits value out of range. */
  | "MQTT_ERR_BROKER_INVALID_OPTION"
  /** `publish` or `listen` after `close()`. */
  | "MQTT_ERR_BROKER_CLOSED";

export class BrokerError extends MqttError<BrokerErrorCode> {
  constructor(code: BrokerErrorCode, message: string, options: { spec?: string } = {}) {
    super(code, message, options);
  }

  static isBrokerError(value: unknown): value is BrokerError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_BROKER_");
  }
}
