/**
 * Typed errors of the session engine.
 *
 * Design: the engine THROWS these; it never returns them inside a Step. A method that
 * throws has changed no state, so a shell may log the error and keep the session (for a
 * local misuse such as exhausted packet ids) or close the connection (for a protocol
 * violation by the peer: `reasonCode` is the 5.0 DISCONNECT reason; a 3.1.1 peer is just
 * disconnected). Shells branch on `code`, never on the message text.
 */
import { MqttError } from "@ternmq/codec";

/** Every code the session engine throws. Documented in the package README. */
export type SessionErrorCode =
  | "MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED"
  | "MQTT_ERR_SESSION_PACKET_ID_IN_USE"
  | "MQTT_ERR_SESSION_PUBACK_FOR_QOS2"
  | "MQTT_ERR_SESSION_PUBREC_FOR_QOS1"
  | "MQTT_ERR_SESSION_PUBREL_OUT_OF_STATE"
  | "MQTT_ERR_SESSION_PUBCOMP_OUT_OF_STATE"
  | "MQTT_ERR_SESSION_SUBACK_COUNT_MISMATCH"
  | "MQTT_ERR_SESSION_UNSUBACK_COUNT_MISMATCH"
  | "MQTT_ERR_SESSION_UNKNOWN_ACK_ID"
  | "MQTT_ERR_SESSION_RECEIVE_MAXIMUM_EXCEEDED"
  | "MQTT_ERR_SESSION_UNEXPECTED_PACKET"
  | "MQTT_ERR_SESSION_NOT_CONNECTED"
  | "MQTT_ERR_SESSION_INVALID_MESSAGE"
  | "MQTT_ERR_SESSION_INVALID_OPTION"
  | "MQTT_ERR_SESSION_SNAPSHOT_VERSION"
  | "MQTT_ERR_SESSION_SNAPSHOT_INVALID";

/** MQTT 5.0 reason codes the session errors map to. */
export const REASON_PROTOCOL_ERROR = 0x82;
export const REASON_PACKET_ID_IN_USE = 0x91;
export const REASON_PACKET_ID_NOT_FOUND = 0x92;
export const REASON_RECEIVE_MAXIMUM_EXCEEDED = 0x93;

/** A session-engine failure: a protocol violation by the peer or a misuse by the caller. */
export class SessionError extends MqttError<SessionErrorCode> {
  /** Packet id involved, when there is one. */
  readonly packetId: number | undefined;

  constructor(
    code: SessionErrorCode,
    message: string,
    options: { spec?: string; reasonCode?: number; packetId?: number; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.packetId = options.packetId;
  }

  /** True for a SessionError from any copy of this package. */
  static isSessionError(value: unknown): value is SessionError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_SESSION_");
  }
}
