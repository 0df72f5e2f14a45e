/**
 * Errors of the admin server: `MqttError`s of @ternmq/codec, so `MqttError.isInstance`
 * recognises them with every other TernMQ error. No MQTT statement applies to the admin
 * listener, so `spec` and `reasonCode` stay undefined.
 */
import { MqttError } from "@ternmq/codec";

export type AdminErrorCode =
  /** Bound to a non-loopback address without `token` or `authenticate`. */
  | "MQTT_ERR_ADMIN_UNPROTECTED"
  /** An option out of range (port, topic cap, ...). */
  | "MQTT_ERR_ADMIN_INVALID_OPTION";

export class AdminError extends MqttError<AdminErrorCode> {
  /** True for an AdminError from any copy of this package. */
  static isAdminError(value: unknown): value is AdminError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_ADMIN_");
  }
}
