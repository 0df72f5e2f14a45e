/**
 * Base class of every typed protocol error in TernMQ.
 *
 * Design: callers branch on `code` (a stable string, documented in docs/errors.md),
 * never on `message`. `spec` names the normative statement that was violated and
 * `reasonCode` is the MQTT 5.0 reason code a broker or client should send for it
 * (a 3.1.1 peer just closes the connection). `isInstance` checks a
 * `Symbol.for` brand instead of the prototype chain, so errors thrown by a second
 * copy of the package (duplicate installs) are still recognised.
 */
const brand: unique symbol = Symbol.for("@ternmq/error") as never;

export interface MqttErrorOptions {
  /** Normative statement, e.g. "MQTT-3.3.1-4". */
  spec?: string;
  /** MQTT 5.0 reason code to send for this failure, e.g. 0x81 Malformed Packet. */
  reasonCode?: number;
  /** CONNACK return code (3.1.1) a server answers with, when the failure is in CONNECT. */
  connackReturnCode?: number;
  cause?: unknown;
}

export class MqttError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly spec: string | undefined;
  readonly reasonCode: number | undefined;
  readonly connackReturnCode: number | undefined;
  readonly [brand] = true;

  constructor(code: Code, message: string, options: MqttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.spec = options.spec;
    this.reasonCode = options.reasonCode;
    this.connackReturnCode = options.connackReturnCode;
  }

  /**
   * True for a TernMQ error whose `code` starts with `prefix`: how each package recognises
   * its own error family (`"MQTT_ERR_SESSION_"`, `"MQTT_ERR_STORE_"`, ...) across copies.
   */
  static hasCodePrefix(value: unknown, prefix: string): value is MqttError {
    return MqttError.isInstance(value) && value.code.startsWith(prefix);
  }

  /** True for any TernMQ protocol error, whichever copy of the package created it. */
  static isInstance(value: unknown): value is MqttError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true
    );
  }
}
