/**
 * The binary frame that carries messages from one node to the clean sessions of another, on
 * the channel `P m:{node}`: one frame per destination node and event-loop turn.
 *
 * Layout: a version byte (1), then per message, in publish order:
 *
 *   flags   u8      bits 0-1 QoS, bit 2 retain
 *   topic   u16 BE  byte length of the topic (MQTT topics are at most 65,535 bytes)
 *   payload u32 BE  byte length of the payload
 *   topic bytes (UTF-8), payload bytes
 *
 * Design: the sender encodes the fixed part and the topic of a message ONCE (`encodeHeader`),
 * whatever the number of destination nodes; each destination's frame keeps references to that
 * header and to the payload, and is joined into one buffer only when it is flushed. The
 * receiver decodes payloads as views into the frame (no copy).
 */
import type { QoS } from "@ternmq/codec";

export const FRAME_VERSION = 1;
const HEADER_BYTES = 7;
const RETAIN_FLAG = 0b100;
const QOS_MASK = 0b011;
const VERSION_CHUNK = Buffer.from([FRAME_VERSION]);

/** The fields of a message that a frame carries. */
export interface FramedMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

/** The fixed part and the topic of `message`, shared by every frame that carries it. */
export function encodeHeader(message: FramedMessage): Buffer {
  const topicBytes = Buffer.byteLength(message.topic, "utf8");
  const header = Buffer.allocUnsafe(HEADER_BYTES + topicBytes);
  header[0] = message.qos | (message.retain ? RETAIN_FLAG : 0);
  header.writeUInt16BE(topicBytes, 1);
  header.writeUInt32BE(message.payload.byteLength, 3);
  header.write(message.topic, HEADER_BYTES, "utf8");
  return header;
}

/** The messages bound for one node during one turn, joined into a frame by `take`. */
export class FrameBuilder {
  private chunks: Uint8Array[] = [VERSION_CHUNK];
  private bytes = VERSION_CHUNK.byteLength;
  /** Messages in the frame being built. */
  count = 0;

  /** Bytes of the frame being built. */
  get byteLength(): number {
    return this.bytes;
  }

  /** Appends a message: its shared `header` (from `encodeHeader`) and its payload. */
  append(header: Buffer, payload: Uint8Array): void {
    this.chunks.push(header, payload);
    this.bytes += header.byteLength + payload.byteLength;
    this.count++;
  }

  /** The frame of every message appended since the last call; the builder starts over. */
  take(): Buffer {
    const frame = Buffer.concat(this.chunks, this.bytes);
    this.reset();
    return frame;
  }

  /** Forgets the messages appended (a frame that cannot be sent). */
  reset(): void {
    this.chunks.length = 1;
    this.bytes = VERSION_CHUNK.byteLength;
    this.count = 0;
  }
}

/** Receives one decoded message of a frame; `context` is the value given to `decodeFrame`. */
export type FramedMessageCallback<C> = (message: FramedMessage, context: C) => void;

/**
 * Calls `callback` for each message of `frame`, in order. Payloads are views into `frame`.
 *
 * Returns: the number of messages decoded, or -1 when the frame has an unknown version or
 * is truncated (messages before the damage have been delivered; the rest is dropped).
 */
export function decodeFrame<C>(
  frame: Buffer,
  callback: FramedMessageCallback<C>,
  context: C,
): number {
  if (frame.byteLength < 1 || frame[0] !== FRAME_VERSION) return -1;
  let offset = 1;
  let count = 0;
  while (offset < frame.byteLength) {
    if (offset + HEADER_BYTES > frame.byteLength) return -1;
    const flags = frame[offset] as number;
    const topicBytes = frame.readUInt16BE(offset + 1);
    const payloadBytes = frame.readUInt32BE(offset + 3);
    const topicStart = offset + HEADER_BYTES;
    const payloadStart = topicStart + topicBytes;
    const end = payloadStart + payloadBytes;
    if (end > frame.byteLength || (flags & QOS_MASK) === 3) return -1;
    callback(
      {
        topic: frame.toString("utf8", topicStart, payloadStart),
        payload: frame.subarray(payloadStart, end),
        qos: (flags & QOS_MASK) as QoS,
        retain: (flags & RETAIN_FLAG) !== 0,
      },
      context,
    );
    count++;
    offset = end;
  }
  return count;
}
