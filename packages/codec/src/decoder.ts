/**
 * Streaming decoder: bytes in (any chunking), packets out, one at a time.
 *
 * Design:
 * - `push` only queues the chunk; `next` does the work, one packet per call, in a loop the
 *   caller drives (no recursion per packet, so a chunk holding thousands of packets cannot
 *   overflow the stack).
 * - The fixed header is read and checked first (type, flags, role, Remaining Length,
 *   maxPacketSize); only then are body bytes awaited, so an oversized or malformed packet is
 *   refused before any of its body is kept (style rule 2).
 * - Each packet is decoded from exactly its Remaining Length bytes: a view into the pushed
 *   chunk when the frame lies inside one chunk, a copy only when it straddles chunks.
 * - "Need more bytes" is `undefined`. The first error is final: the decoder enters the
 *   "failed" state and every later `next` throws that same error (style rule 3).
 *
 * States (`state`):
 *
 *   "header" --fixed header complete and accepted--> "body"
 *   "body"   --body complete and decoded-----------> "header"
 *   any      --error------------------------------->  "failed" (final)
 */
import { ByteReader } from "./byte-reader.js";
import { codecError } from "./errors.js";
import { checkFirstByte, type RemainingLengthSink, readRemainingLength } from "./fixed-header.js";
import {
  checkDirection,
  checkSender,
  type DecoderRole,
  decodeBody,
  packetName,
} from "./packet-rules.js";
import { allocateBytes } from "./platform.js";
import type { Packet, ProtocolVersion } from "./types.js";

/** Largest packet MQTT can express: 1 type byte + 4 length bytes + 268,435,455. */
const PROTOCOL_MAX_PACKET_SIZE = 268_435_460;
const EMPTY = new Uint8Array(0);
/**
 * Gathers a fixed header that straddles chunks. One for every decoder: it is filled and read
 * within one synchronous `readFixedHeader` call, and a per-decoder array (with its
 * ArrayBuffer) cost about 200 bytes per idle connection of a broker.
 */
const HEADER_SCRATCH = new Uint8Array(5);
/**
 * Reads every decoder's frames, for the same reason: a frame is decoded within one
 * synchronous `decodeFrame` call (decoding never re-enters a decoder), and the reader is
 * pointed at nothing again before that call returns.
 */
const FRAME_READER = new ByteReader();

export interface DecoderOptions {
  /**
   * "server": decodes what clients send (CONNECT first; the protocol level is taken from that
   * CONNECT). "client": decodes what servers send; `protocolVersion` is required.
   */
  role: DecoderRole;
  /** Protocol level of the connection; required for "client", ignored for "server". */
  protocolVersion?: ProtocolVersion;
  /** Largest accepted packet, fixed header included. Default 268,435,460 (the protocol max). */
  maxPacketSize?: number;
}

type DecoderState = "header" | "body" | "failed";

/**
 * Decodes a stream of MQTT packets.
 *
 * @example
 * const decoder = new Decoder({ role: "client", protocolVersion: 4 });
 * socket.on("data", (chunk) => {
 *   decoder.push(chunk);
 *   for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) handle(packet);
 * });
 */
export class Decoder {
  private state: DecoderState = "header";
  private failure: unknown;
  private readonly role: DecoderRole;
  private readonly maxPacketSize: number;
  private level: ProtocolVersion | undefined;
  /** Queued chunks; those before `head` are consumed. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Consumed bytes of `chunks[head]`. */
  private headOffset = 0;
  /** Unconsumed bytes in `chunks`. */
  private buffered = 0;
  /** The fixed header of the packet being read (state "body"). */
  private firstByte = 0;
  private readonly pending: RemainingLengthSink = { remainingLength: 0 };
  private headerLength = 0;

  constructor(options: DecoderOptions) {
    const { role, protocolVersion, maxPacketSize = PROTOCOL_MAX_PACKET_SIZE } = options;
    if (role !== "server" && role !== "client") {
      throw new TypeError('Decoder: role must be "server" or "client"');
    }
    if (
      role === "client" &&
      protocolVersion !== 3 &&
      protocolVersion !== 4 &&
      protocolVersion !== 5
    ) {
      throw new TypeError('Decoder: role "client" needs protocolVersion 3, 4 or 5');
    }
    if (!Number.isInteger(maxPacketSize) || maxPacketSize < 2) {
      throw new TypeError("Decoder: maxPacketSize must be an integer of at least 2");
    }
    this.role = role;
    this.level = role === "client" ? protocolVersion : undefined;
    this.maxPacketSize = maxPacketSize;
  }

  /** Level in force: from the options (client role) or from the decoded CONNECT (server). */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.level;
  }

  /** Bytes pushed but not yet consumed as packets (a pending packet's header included). */
  get bufferedBytes(): number {
    return this.state === "body" ? this.buffered + this.headerLength : this.buffered;
  }

  /**
   * Appends bytes. The decoder may keep views into `chunk` (no copy): hand over buffers that
   * will not be modified afterwards (socket chunks qualify). Ignored once the decoder failed.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.state === "failed") return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete packet, or undefined when more bytes are needed. Throws MqttError on
   * malformed input; after the first error every call throws that same error.
   */
  next(): Packet | undefined {
    if (this.state === "failed") throw this.failure;
    try {
      if (this.state === "header" && !this.readFixedHeader()) return undefined;
      if (this.buffered < this.pending.remainingLength) return undefined;
      return this.decodeFrame();
    } catch (error) {
      this.state = "failed";
      this.failure = error;
      this.chunks = [];
      this.buffered = 0;
      throw error;
    }
  }

  /** Reads and checks the fixed header; false when it is not complete yet. */
  private readFixedHeader(): boolean {
    if (this.buffered === 0) return false;
    const chunk = this.chunks[this.head] as Uint8Array;
    let bytes = chunk;
    let start = this.headOffset;
    let end = chunk.length;
    if (end - start < 5 && this.buffered > end - start) {
      // The header may straddle chunks: gather its (at most 5) bytes.
      end = this.copyOut(HEADER_SCRATCH, Math.min(5, this.buffered), false);
      bytes = HEADER_SCRATCH;
      start = 0;
    }
    const firstByte = bytes[start] as number;
    this.checkFirstByte(firstByte);
    const lengthBytes = readRemainingLength(bytes, start + 1, end, this.pending);
    if (lengthBytes === 0) return false;
    const headerLength = 1 + lengthBytes;
    if (headerLength + this.pending.remainingLength > this.maxPacketSize) {
      throw codecError(
        "MQTT_ERR_PACKET_TOO_LARGE",
        `${packetName(firstByte >> 4)} of ${headerLength + this.pending.remainingLength} bytes exceeds maxPacketSize ${this.maxPacketSize}`,
      );
    }
    this.firstByte = firstByte;
    this.headerLength = headerLength;
    this.consume(headerLength);
    this.state = "body";
    return true;
  }

  private checkFirstByte(firstByte: number): void {
    const type = firstByte >> 4;
    if (this.role === "server" && this.level === undefined && type !== 1 && type !== 0) {
      throw codecError(
        "MQTT_ERR_CONNECT_EXPECTED",
        `the first packet is ${packetName(type)}, not CONNECT`,
        "MQTT-3.1.0-1",
      );
    }
    checkFirstByte(firstByte, this.level);
    if (type === 1 && this.level !== undefined && this.role === "server") {
      throw codecError(
        "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
        "a second CONNECT on the connection",
        "MQTT-3.1.0-2",
      );
    }
    checkDirection(type, this.role);
  }

  private decodeFrame(): Packet {
    const length = this.pending.remainingLength;
    const chunk = this.chunks[this.head];
    const reader = FRAME_READER;
    if (length === 0) {
      reader.reset(EMPTY, 0, 0);
    } else if (chunk !== undefined && chunk.length - this.headOffset >= length) {
      reader.reset(chunk, this.headOffset, this.headOffset + length);
      this.consume(length);
    } else {
      const frame = allocateBytes(length);
      this.copyOut(frame, length, true);
      reader.reset(frame, 0, length);
    }
    this.state = "header";
    let packet: Packet;
    try {
      packet = decodeBody(this.firstByte, reader, this.level ?? 5);
    } finally {
      // Let go of the frame: the reader would otherwise keep the last chunk (with its
      // ArrayBuffer) of a connection that then stays idle.
      reader.reset(EMPTY, 0, 0);
    }
    checkSender(packet, this.role);
    if (packet.type === "connect") this.level = packet.protocolVersion;
    return packet;
  }

  /** Copies the next `count` buffered bytes into `target`, consuming them if asked. */
  private copyOut(target: Uint8Array, count: number, consume: boolean): number {
    let copied = 0;
    let index = this.head;
    let offset = this.headOffset;
    while (copied < count) {
      const chunk = this.chunks[index] as Uint8Array;
      const take = Math.min(chunk.length - offset, count - copied);
      target.set(chunk.subarray(offset, offset + take), copied);
      copied += take;
      offset += take;
      if (offset === chunk.length) {
        index++;
        offset = 0;
      }
    }
    if (consume) this.consume(count);
    return copied;
  }

  /** Drops `count` bytes from the front of the queue. */
  private consume(count: number): void {
    this.buffered -= count;
    let rest = count;
    while (rest > 0) {
      const chunk = this.chunks[this.head] as Uint8Array;
      const available = chunk.length - this.headOffset;
      if (rest < available) {
        this.headOffset += rest;
        return;
      }
      rest -= available;
      this.chunks[this.head] = EMPTY; // let the consumed chunk be collected
      this.head++;
      this.headOffset = 0;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 64) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Options of `decode`. */
export interface DecodeOptions {
  /** Protocol level of the connection (a CONNECT uses its own level). */
  protocolVersion: ProtocolVersion;
  /** When given, packets the peer of this role may not send are rejected. */
  role?: DecoderRole;
}

/**
 * Decodes exactly one complete packet.
 *
 * @param bytes - the whole packet, fixed header included, and nothing else.
 * @param options - `protocolVersion` of the connection (a CONNECT uses its own level); `role`
 *   to refuse packets the peer of that role may not send.
 * @returns the packet in normal form; binary fields are views into `bytes`.
 * @throws MqttError: `MQTT_ERR_TRUNCATED_PACKET` for missing bytes, `MQTT_ERR_TRAILING_BYTES` for
 *   extra bytes, or the code of the rule the packet breaks.
 * @see Decoder for a stream of packets.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions): Packet {
  const level = options.protocolVersion;
  if (bytes.length === 0) throw codecError("MQTT_ERR_TRUNCATED_PACKET", "no bytes");
  const firstByte = bytes[0] as number;
  checkFirstByte(firstByte, level);
  if (options.role !== undefined) checkDirection(firstByte >> 4, options.role);
  const sink = { remainingLength: 0 };
  const lengthBytes = readRemainingLength(bytes, 1, bytes.length, sink);
  if (lengthBytes === 0) {
    throw codecError("MQTT_ERR_TRUNCATED_PACKET", "bytes end inside the remaining length");
  }
  const end = 1 + lengthBytes + sink.remainingLength;
  if (bytes.length < end) {
    throw codecError(
      "MQTT_ERR_TRUNCATED_PACKET",
      `remaining length ${sink.remainingLength} but only ${bytes.length - 1 - lengthBytes} bytes`,
    );
  }
  if (bytes.length > end) {
    throw codecError("MQTT_ERR_TRAILING_BYTES", `${bytes.length - end} bytes after the packet`);
  }
  const reader = new ByteReader();
  reader.reset(bytes, 1 + lengthBytes, end);
  const packet = decodeBody(firstByte, reader, level);
  if (options.role !== undefined) checkSender(packet, options.role);
  return packet;
}
