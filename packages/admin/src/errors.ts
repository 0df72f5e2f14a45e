/**
 * Errors of the admin server. Branded like every TernMQ error (`Symbol.for("@ternmq/error")`,
 * as `MqttError` of @ternmq/codec), so `MqttError.isInstance` recognises them too.
 */
const brand: unique symbol = Symbol.for("@ternmq/error") as never;

export type AdminErrorCode =
  /** Bound to a non-loopback address without `token` or `authenticate`. */
  | "MQTT_ERR_ADMIN_UNPROTECTED"
  /** An option out of range (port, topic cap, ...). */
  | "MQTT_ERR_ADMIN_INVALID_OPTION";

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  /** No MQTT statement applies to the admin listener. */
  readonly spec: string | undefined = undefined;
  readonly [brand] = true;

  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.name = "AdminError";
    this.code = code;
  }

  /** True for an AdminError from any copy of this package. */
  static isAdminError(value: unknown): value is AdminError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true &&
      typeof (value as { code?: unknown }).code === "string" &&
      (value as { code: string }).code.startsWith("MQTT_ERR_ADMIN_")
    );
  }
}
