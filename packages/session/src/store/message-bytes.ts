/**
 * Compact bytes for a message a durable store keeps (queued, inflight, inbox or retained).
 * Shared by the durable stores so that their data stays one format.
 *
 * Design: a message is a format byte followed by the message encoded as an MQTT PUBLISH
 * packet by `@ternmq/codec`, the serialiser the broker already trusts to round-trip every
 * field (topic, QoS, RETAIN, every 5.0 property in order, payload bytes). The format byte is
 * the protocol level used: 4 (3.1.1) for a message without `properties`, 5 for one with
 * them, so a message stored without properties comes back without them and one with an
 * empty property bag comes back with it. The packet id of a QoS 1/2 message is a
 * placeholder (1): ids belong to the inflight entries, not to the message. A store that
 * keys a message on its topic (retained messages) encodes it with an empty topic and
 * passes the key back on decode. A store may ask for `headerBytes` of room before the
 * format byte for its own framing (a state byte, a timestamp), and pass its own allocator
 * (Node's `Buffer.allocUnsafe`, for speed and for clients that want a Buffer). Decoding
 * returns the payload as a view of the given bytes (no copy).
 *
 * This layout is persisted: existing SQLite files and Redis data must keep decoding, so it
 * never changes without a new format byte (test/store/message-bytes.test.ts pins it).
 */
import { decode, encodedLength, encodeInto, type PublishPacket } from "@ternmq/codec";
import type { SessionMessage } from "../snapshot.js";
import { type StoredDataErrorFactory, storedDataError } from "./stored-data-error.js";

const FORMAT_WITHOUT_PROPERTIES = 4;
const FORMAT_WITH_PROPERTIES = 5;
const PLACEHOLDER_PACKET_ID = 1;

function allocateBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

/**
 * Encodes `message` into new bytes: `headerBytes` bytes left for the caller (default 0),
 * the format byte, then the PUBLISH packet with `topic` (default: the message's topic).
 *
 * Parameters: `allocate` makes the bytes (default: a zero-filled Uint8Array).
 * Returns: what `allocate` returned, filled from `headerBytes` on.
 * Throws: MqttError `MQTT_ERR_INVALID_PACKET` (from the codec) for a message that is not a
 * valid PUBLISH, before anything is allocated.
 */
export function encodeStoredMessage(
  message: SessionMessage,
  topic?: string,
  headerBytes?: number,
): Uint8Array;
export function encodeStoredMessage<Bytes extends Uint8Array>(
  message: SessionMessage,
  topic: string,
  headerBytes: number,
  allocate: (size: number) => Bytes,
): Bytes;
export function encodeStoredMessage(
  message: SessionMessage,
  topic = message.topic,
  headerBytes = 0,
  allocate: (size: number) => Uint8Array = allocateBytes,
): Uint8Array {
  const format =
    message.properties !== undefined ? FORMAT_WITH_PROPERTIES : FORMAT_WITHOUT_PROPERTIES;
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup: false,
    packetId: message.qos > 0 ? PLACEHOLDER_PACKET_ID : undefined,
    properties: message.properties,
  };
  const options = { protocolVersion: format } as const;
  const bytes = allocate(headerBytes + 1 + encodedLength(packet, options));
  bytes[headerBytes] = format;
  encodeInto(packet, bytes, headerBytes + 1, options);
  return bytes;
}

/**
 * Decodes what `encodeStoredMessage` wrote, starting at `offset` (its `headerBytes`);
 * `topic` replaces the stored topic when given.
 *
 * Throws: `onError("a stored message", cause)` when the bytes are not a stored message
 * (default: a TypeError).
 */
export function decodeStoredMessage(
  bytes: Uint8Array,
  offset = 0,
  topic?: string,
  onError: StoredDataErrorFactory = storedDataError,
): SessionMessage {
  try {
    const format = bytes[offset];
    if (format !== FORMAT_WITHOUT_PROPERTIES && format !== FORMAT_WITH_PROPERTIES) {
      throw new TypeError(`unknown stored message format ${String(format)}`);
    }
    const packet = decode(bytes.subarray(offset + 1), { protocolVersion: format });
    if (packet.type !== "publish") throw new TypeError(`stored message is a ${packet.type}`);
    const message: SessionMessage = {
      topic: topic ?? packet.topic,
      payload: packet.payload,
      qos: packet.qos,
      retain: packet.retain,
    };
    if (format === FORMAT_WITH_PROPERTIES) message.properties = packet.properties ?? {};
    return message;
  } catch (error) {
    throw onError("a stored message", error);
  }
}
