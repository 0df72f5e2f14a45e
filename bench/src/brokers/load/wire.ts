/**
 * The little of MQTT 3.1.1 the load generator speaks on raw sockets: frame boundaries,
 * pre-encoded acknowledgements, PUBLISH templates and the payload layout that carries a
 * publisher index, a sequence number and a send time.
 *
 * Design: everything that can be encoded ahead of time is (by @ternmq/codec `encode`, once);
 * per message the generator only copies a template and writes 16 payload bytes, and per
 * received frame it reads the fixed header, the packet id and those 16 bytes. It never
 * decodes a packet into an object.
 */
import { encode, type QoS } from "@ternmq/codec";

export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBACK = 9;

/** Called with each whole frame: its first byte and the range of its body in `data`. */
export type FrameHandler = (firstByte: number, data: Buffer, start: number, end: number) => void;

/**
 * Cuts MQTT frames out of a byte stream. Frames inside one chunk are handed out as ranges of
 * that chunk; only a frame split across chunks costs a copy (of the tail plus the next chunk).
 */
export class FrameCutter {
  #tail: Buffer | undefined;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Buffer): void {
    const data = this.#tail === undefined ? chunk : Buffer.concat([this.#tail, chunk]);
    const length = data.length;
    let offset = 0;
    while (offset < length) {
      let index = offset + 1;
      let bodyLength = 0;
      let multiplier = 1;
      let byte = 0x80;
      while (index < length && (byte & 0x80) !== 0) {
        byte = data[index++] as number;
        bodyLength += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      if ((byte & 0x80) !== 0 || index + bodyLength > length) break;
      this.onFrame(data[offset] as number, data, index, index + bodyLength);
      offset = index + bodyLength;
    }
    this.#tail = offset < length ? data.subarray(offset) : undefined;
  }
}

/** Every 4-byte acknowledgement of one type for packet ids 1..65535 in one buffer. */
function ackTable(firstByte: number): Buffer {
  const table = Buffer.alloc(65_535 * 4);
  for (let id = 1; id <= 65_535; id += 1) {
    const offset = (id - 1) * 4;
    table[offset] = firstByte;
    table[offset + 1] = 2;
    table.writeUInt16BE(id, offset + 2);
  }
  return table;
}

const ACK_TABLES = {
  puback: ackTable(0x40),
  pubrec: ackTable(0x50),
  pubrel: ackTable(0x62),
  pubcomp: ackTable(0x70),
} as const;

/** The pre-encoded PUBACK / PUBREC / PUBREL / PUBCOMP for `packetId` (a view, not a copy). */
export function ack(kind: keyof typeof ACK_TABLES, packetId: number): Buffer {
  return ACK_TABLES[kind].subarray((packetId - 1) * 4, packetId * 4);
}

/**
 * Payload layout of every measured message: publisher index (u32), sequence number (u32),
 * send time (f64, `performance.now()` of the generator process), then filler bytes.
 */
export const PAYLOAD_HEADER_BYTES = 16;

/** A PUBLISH encoded once, with where its packet id and payload sit. */
export interface PublishTemplate {
  readonly bytes: Buffer;
  /** Offset of the 2-byte packet id, or -1 at QoS 0. */
  readonly packetIdOffset: number;
  readonly payloadOffset: number;
}

export function publishTemplate(
  topic: string,
  qos: QoS,
  payloadSize: number,
  retain = false,
): PublishTemplate {
  const size = Math.max(payloadSize, PAYLOAD_HEADER_BYTES);
  const bytes = Buffer.from(
    encode(
      {
        type: "publish",
        topic,
        payload: new Uint8Array(size).fill(0x61),
        qos,
        retain,
        dup: false,
        ...(qos > 0 ? { packetId: 1 } : {}),
      },
      { protocolVersion: 4 },
    ),
  );
  const payloadOffset = bytes.length - size;
  return { bytes, packetIdOffset: qos > 0 ? payloadOffset - 2 : -1, payloadOffset };
}

/** Where a received PUBLISH's payload starts, and its packet id (0 at QoS 0). */
export function publishBody(firstByte: number, data: Buffer, start: number): [number, number] {
  const qos = (firstByte >> 1) & 3;
  const afterTopic = start + 2 + data.readUInt16BE(start);
  return qos === 0 ? [afterTopic, 0] : [afterTopic + 2, data.readUInt16BE(afterTopic)];
}

export function encodeSubscribe(packetId: number, filters: readonly string[], qos: QoS): Buffer {
  return Buffer.from(
    encode(
      {
        type: "subscribe",
        packetId,
        subscriptions: filters.map((topicFilter) => ({ topicFilter, qos })),
      },
      { protocolVersion: 4 },
    ),
  );
}

export function encodeConnect(clientId: string, clean: boolean): Buffer {
  return Buffer.from(
    encode(
      { type: "connect", protocolVersion: 4, clientId, clean, keepalive: 0 },
      {
        protocolVersion: 4,
      },
    ),
  );
}
