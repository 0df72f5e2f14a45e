/**
 * Encoding: every packet is measured exactly first (validating it), then written in place into
 * one allocation (`encode`) or into the caller's buffer (`encodeInto`).
 */
import { MAX_VARIABLE_BYTE_INTEGER, varintLength, writeU8, writeVarint } from "./byte-writer.js";
import { codecError, invalidPacket } from "./errors.js";
import { measureAuth, writeAuth } from "./packets/auth.js";
import { measureConnack, writeConnack } from "./packets/connack.js";
import { measureConnect, writeConnect } from "./packets/connect.js";
import { measureDisconnect, writeDisconnect } from "./packets/disconnect.js";
import { measurePubAck, writePubAck } from "./packets/pub-ack.js";
import { measurePublish, publishFlags, writePublish } from "./packets/publish.js";
import { measureSuback, writeSuback } from "./packets/suback.js";
import { measureSubscribe, writeSubscribe } from "./packets/subscribe.js";
import { measureUnsuback, writeUnsuback } from "./packets/unsuback.js";
import { measureUnsubscribe, writeUnsubscribe } from "./packets/unsubscribe.js";
import { allocateBytes } from "./platform.js";
import { PACKET_TYPE_CODES, type Packet, type ProtocolVersion } from "./types.js";

export interface EncodeOptions {
  /** 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0. For CONNECT, packet.protocolVersion wins. */
  protocolVersion: ProtocolVersion;
}

/** The validated level of `options` (MQTT_ERR_INVALID_PACKET unless 3, 4 or 5). */
export function optionsLevel(options: EncodeOptions): ProtocolVersion {
  const level = options?.protocolVersion;
  if (level !== 3 && level !== 4 && level !== 5) {
    throw invalidPacket("options.protocolVersion", "must be 3, 4 or 5");
  }
  return level;
}

function levelOf(packet: Packet, options: EncodeOptions): ProtocolVersion {
  return packet.type === "connect" ? packet.protocolVersion : optionsLevel(options);
}

/** Validates `packet` and returns its Remaining Length at `level`. */
function measureBody(packet: Packet, level: ProtocolVersion): number {
  if (typeof packet !== "object" || packet === null) throw invalidPacket("packet", "not an object");
  let length: number;
  switch (packet.type) {
    case "publish":
      length = measurePublish(packet, level);
      break;
    case "connect":
      length = measureConnect(packet);
      break;
    case "connack":
      length = measureConnack(packet, level);
      break;
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      length = measurePubAck(packet, level);
      break;
    case "subscribe":
      length = measureSubscribe(packet, level);
      break;
    case "suback":
      length = measureSuback(packet, level);
      break;
    case "unsubscribe":
      length = measureUnsubscribe(packet, level);
      break;
    case "unsuback":
      length = measureUnsuback(packet, level);
      break;
    case "pingreq":
    case "pingresp":
      length = 0;
      break;
    case "disconnect":
      length = measureDisconnect(packet, level);
      break;
    case "auth":
      length = measureAuth(packet, level);
      break;
    default:
      throw invalidPacket("type", `unknown packet type ${JSON.stringify((packet as Packet).type)}`);
  }
  if (length > MAX_VARIABLE_BYTE_INTEGER) {
    throw invalidPacket(
      "packet",
      `remaining length ${length} exceeds ${MAX_VARIABLE_BYTE_INTEGER}`,
    );
  }
  return length;
}

function firstByteOf(packet: Packet): number {
  const type = PACKET_TYPE_CODES[packet.type] << 4;
  switch (packet.type) {
    case "publish":
      return type | publishFlags(packet.qos, packet.dup, packet.retain);
    case "pubrel":
    case "subscribe":
    case "unsubscribe":
      return type | 0b0010; // [MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]
    default:
      return type;
  }
}

function writeBody(
  packet: Packet,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  switch (packet.type) {
    case "publish":
      return writePublish(packet, level, target, offset);
    case "connect":
      return writeConnect(packet, target, offset);
    case "connack":
      return writeConnack(packet, level, target, offset);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return writePubAck(packet, level, target, offset);
    case "subscribe":
      return writeSubscribe(packet, level, target, offset);
    case "suback":
      return writeSuback(packet, level, target, offset);
    case "unsubscribe":
      return writeUnsubscribe(packet, level, target, offset);
    case "unsuback":
      return writeUnsuback(packet, level, target, offset);
    case "pingreq":
    case "pingresp":
      return offset;
    case "disconnect":
      return writeDisconnect(packet, level, target, offset);
    case "auth":
      return writeAuth(packet, target, offset);
  }
}

function writePacket(
  packet: Packet,
  level: ProtocolVersion,
  remainingLength: number,
  target: Uint8Array,
  offset: number,
): number {
  const bodyStart = writeVarint(
    target,
    writeU8(target, offset, firstByteOf(packet)),
    remainingLength,
  );
  return writeBody(packet, level, target, bodyStart);
}

/**
 * Encodes one packet into a fresh Uint8Array (a Node Buffer when globalThis.Buffer exists).
 *
 * @param packet - any packet of the model; 5.0-only fields are ignored below level 5.
 * @param options - `protocolVersion` of the connection (CONNECT uses its own).
 * @returns exactly the packet's bytes, fixed header included.
 * @throws MqttError `MQTT_ERR_INVALID_PACKET`, naming the field, when the packet cannot be sent.
 * @see encodeInto to write into a buffer of your own, preparePublish for fan-out.
 */
export function encode(packet: Packet, options: EncodeOptions): Uint8Array {
  const level = levelOf(packet, options);
  const remainingLength = measureBody(packet, level);
  const target = allocateBytes(1 + varintLength(remainingLength) + remainingLength);
  writePacket(packet, level, remainingLength, target, 0);
  return target;
}

/**
 * Exact byte length `encode` would produce (fixed header included); validates like it.
 *
 * @throws MqttError `MQTT_ERR_INVALID_PACKET` like `encode`.
 */
export function encodedLength(packet: Packet, options: EncodeOptions): number {
  const remainingLength = measureBody(packet, levelOf(packet, options));
  return 1 + varintLength(remainingLength) + remainingLength;
}

/**
 * Writes the packet into `target` at `offset`.
 *
 * @returns the offset just past the packet.
 * @throws MqttError `MQTT_ERR_BUFFER_TOO_SMALL` (writing nothing) if it does not fit, and
 *   `MQTT_ERR_INVALID_PACKET` like `encode`.
 * @see encodedLength to size the buffer first.
 */
export function encodeInto(
  packet: Packet,
  target: Uint8Array,
  offset: number,
  options: EncodeOptions,
): number {
  const level = levelOf(packet, options);
  const remainingLength = measureBody(packet, level);
  const total = 1 + varintLength(remainingLength) + remainingLength;
  if (!Number.isInteger(offset) || offset < 0 || offset + total > target.length) {
    throw codecError(
      "MQTT_ERR_BUFFER_TOO_SMALL",
      `${total} bytes do not fit at offset ${offset} of a ${target.length}-byte buffer`,
    );
  }
  return writePacket(packet, level, remainingLength, target, offset);
}
