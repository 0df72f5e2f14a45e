/**
 * The fixed header (section 2.2): packet type, flags and Remaining Length.
 *
 * Design: the streaming decoder reads the fixed header before it buffers any of the body, so
 * every check that the first byte alone allows (reserved types, flag bits, PUBLISH QoS and DUP)
 * and the Remaining Length limits run here, before a byte of the body is kept.
 */
import { codecError } from "./errors.js";
import { PACKET_TYPE_CODES, type ProtocolVersion } from "./types.js";

/** Fixed-header flag bits each packet type must carry (PUBLISH is checked separately). */
const REQUIRED_FLAGS: readonly number[] = [
  0, 0, 0, -1, 0, 0, 0b0010, 0, 0b0010, 0, 0b0010, 0, 0, 0, 0, 0,
];

/**
 * Checks the first byte of a fixed header at `level`: the type is defined at this level
 * (AUTH only in 5.0) and the flag bits are the ones the type requires ([MQTT-2.2.2-1],
 * [MQTT-2.2.2-2]); for PUBLISH, QoS is not 3 ([MQTT-3.3.1-4]) and DUP is 0 at QoS 0
 * ([MQTT-3.3.1-2]). `level` is undefined while a server waits for CONNECT.
 */
export function checkFirstByte(firstByte: number, level: ProtocolVersion | undefined): void {
  const type = firstByte >> 4;
  const flags = firstByte & 0x0f;
  if (type === 0) {
    throw codecError("MQTT_ERR_RESERVED_PACKET_TYPE", "packet type 0 is reserved", "MQTT-2.2.1");
  }
  if (type === PACKET_TYPE_CODES.auth && level !== 5) {
    throw codecError(
      "MQTT_ERR_RESERVED_PACKET_TYPE",
      "packet type 15 (AUTH) is reserved below MQTT 5.0",
      "MQTT-2.2.1",
    );
  }
  if (type === PACKET_TYPE_CODES.publish) {
    const qos = (flags >> 1) & 3;
    if (qos === 3) throw codecError("MQTT_ERR_INVALID_QOS", "PUBLISH with QoS 3", "MQTT-3.3.1-4");
    if (qos === 0 && (flags & 0b1000) !== 0) {
      throw codecError("MQTT_ERR_INVALID_DUP", "DUP set on a QoS 0 PUBLISH", "MQTT-3.3.1-2");
    }
    return;
  }
  const required = REQUIRED_FLAGS[type] as number;
  // MQTT 3.1 set DUP on resent PUBREL, SUBSCRIBE and UNSUBSCRIBE; only the QoS bits are fixed.
  const checked = level === 3 && required === 0b0010 ? flags & 0b0111 : flags;
  if (checked !== required) {
    throw codecError(
      "MQTT_ERR_INVALID_FIXED_HEADER_FLAGS",
      `packet type ${type} with flags 0b${flags.toString(2).padStart(4, "0")}`,
      required === 0 ? "MQTT-2.2.2-1" : "MQTT-2.2.2-2",
    );
  }
}

/** Receives the value read by readRemainingLength. */
export interface RemainingLengthSink {
  remainingLength: number;
}

/**
 * Reads the Remaining Length starting at `bytes[offset]`, looking no further than `end`, into
 * `sink`. Returns how many bytes the field takes (1-4), or 0 when the bytes end before its last
 * byte. Throws MQTT_ERR_MALFORMED_REMAINING_LENGTH when a fourth byte still has its
 * continuation bit set. Non-minimal encodings are accepted (3.1.1 does not forbid them).
 */
export function readRemainingLength(
  bytes: Uint8Array,
  offset: number,
  end: number,
  sink: RemainingLengthSink,
): number {
  let value = 0;
  let multiplier = 1;
  for (let index = 0; index < 4; index++) {
    if (offset + index >= end) return 0;
    const byte = bytes[offset + index] as number;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      sink.remainingLength = value;
      return index + 1;
    }
    multiplier *= 128;
  }
  throw codecError(
    "MQTT_ERR_MALFORMED_REMAINING_LENGTH",
    "remaining length uses more than 4 bytes",
    "MQTT-2.2.3",
  );
}
