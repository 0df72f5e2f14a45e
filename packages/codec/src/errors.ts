/**
 * Every error the codec raises, by its stable `code`.
 *
 * Design: one table says, for each code, which normative statement it enforces by default,
 * the MQTT 5.0 reason code a peer should answer with and, for CONNECT failures that a 3.1.1
 * server reports in a CONNACK, the CONNACK return code. Call sites create errors through
 * `codecError(code, message, spec?)` and may cite a more precise statement than the default.
 */
import { MqttError } from "./mqtt-error.js";

/** 5.0 reason codes used by the codec. */
const MALFORMED_PACKET = 0x81;
const PROTOCOL_ERROR = 0x82;
const UNSUPPORTED_PROTOCOL_VERSION = 0x84;
const PACKET_TOO_LARGE = 0x95;

interface ErrorDescription {
  readonly spec: string;
  readonly reasonCode?: number;
  readonly connackReturnCode?: number;
}

const ERROR_TABLE = {
  MQTT_ERR_MALFORMED_REMAINING_LENGTH: { spec: "MQTT-2.2.3", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_PACKET_TOO_LARGE: { spec: "MQTT-3.1.2-24", reasonCode: PACKET_TOO_LARGE },
  MQTT_ERR_RESERVED_PACKET_TYPE: { spec: "MQTT-2.2.1", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_FIXED_HEADER_FLAGS: { spec: "MQTT-2.2.2-2", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_QOS: { spec: "MQTT-3.3.1-4", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_DUP: { spec: "MQTT-3.3.1-2", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_TRUNCATED_PACKET: { spec: "MQTT-2.2.3", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_TRAILING_BYTES: { spec: "MQTT-2.2.3", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_MALFORMED_UTF8: { spec: "MQTT-1.5.3-1", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_UTF8_NULL_CHARACTER: { spec: "MQTT-1.5.3-2", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_MALFORMED_VARIABLE_BYTE_INTEGER: { spec: "MQTT-1.5.5", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_PACKET_ID_ZERO: { spec: "MQTT-2.3.1-1", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_EMPTY_SUBSCRIBE: { spec: "MQTT-3.8.3-3", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_EMPTY_UNSUBSCRIBE: { spec: "MQTT-3.10.3-2", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED: { spec: "MQTT-3.8.3-4", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_PROTOCOL_NAME: {
    spec: "MQTT-3.1.2-1",
    reasonCode: UNSUPPORTED_PROTOCOL_VERSION,
  },
  MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION: {
    spec: "MQTT-3.1.2-2",
    reasonCode: UNSUPPORTED_PROTOCOL_VERSION,
    connackReturnCode: 1,
  },
  MQTT_ERR_CONNECT_RESERVED_FLAG: { spec: "MQTT-3.1.2-3", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_WILL_FLAGS: { spec: "MQTT-3.1.2-11", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_PASSWORD_WITHOUT_USERNAME: { spec: "MQTT-3.1.2-22" },
  MQTT_ERR_DUPLICATE_PROPERTY: { spec: "MQTT-2.2.2.2", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_INVALID_PROPERTY: { spec: "MQTT-2.2.2.2", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_INVALID_PROPERTY_VALUE: { spec: "MQTT-2.2.2.2", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_INVALID_REASON_CODE: { spec: "MQTT-2.4", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_CONNACK_RESERVED_FLAGS: { spec: "MQTT-3.2.2-1", reasonCode: MALFORMED_PACKET },
  MQTT_ERR_CONNECT_EXPECTED: { spec: "MQTT-3.1.0-1", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_UNEXPECTED_PACKET_TYPE: { spec: "MQTT-2.2.1", reasonCode: PROTOCOL_ERROR },
  MQTT_ERR_INVALID_PACKET: { spec: "MQTT-2" },
  MQTT_ERR_BUFFER_TOO_SMALL: { spec: "MQTT-2.2.3" },
} as const satisfies Record<string, ErrorDescription>;

/** Every `code` an error thrown by `@ternmq/codec` can carry. */
export type CodecErrorCode = keyof typeof ERROR_TABLE;

/**
 * Creates the typed error for `code`. `spec` overrides the table's default reference when the
 * call site enforces a more precise statement (e.g. "MQTT-3.1.2-14" for a will QoS of 3).
 */
export function codecError(
  code: CodecErrorCode,
  message: string,
  spec?: string,
): MqttError<CodecErrorCode> {
  const description: ErrorDescription = ERROR_TABLE[code];
  return new MqttError(code, message, {
    spec: spec ?? description.spec,
    ...(description.reasonCode === undefined ? {} : { reasonCode: description.reasonCode }),
    ...(description.connackReturnCode === undefined
      ? {}
      : { connackReturnCode: description.connackReturnCode }),
  });
}

/**
 * Encoding error naming the offending field. A `#` in `field` stands for `part` (an index or a
 * property name), so that callers pass constant field names and the path is only built when
 * something is wrong.
 */
export function invalidPacket(
  field: string,
  problem: string,
  part?: string | number,
): MqttError<CodecErrorCode> {
  const path = part === undefined ? field : field.replace("#", String(part));
  return codecError("MQTT_ERR_INVALID_PACKET", `${path}: ${problem}`);
}
