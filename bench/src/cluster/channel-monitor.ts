/**
 * Counts what Redis delivers on the per-node message channels of a TernMQ cluster
 * (`ternmq:m:{nodeId}`, batch frames for that node's clean sessions), as an extra subscriber:
 * frames and payload bytes per channel, and the bytes Redis sent this subscriber (to be
 * taken off Redis's output byte count).
 */
import { Redis } from "ioredis";

const PATTERN = "ternmq:m:*";

/** Size of a RESP2 bulk string of `length` bytes. */
const bulk = (length: number): number => 1 + String(length).length + 2 + length + 2;

/** `*4\r\n$8\r\npmessage\r\n` + pattern, channel and payload as bulk strings. */
const pushBytes = (channel: Buffer, payload: Buffer): number =>
  4 + bulk(8) + bulk(PATTERN.length) + bulk(channel.length) + bulk(payload.length);

export class ChannelMonitor {
  readonly #redis: Redis;
  readonly #frames = new Map<string, number>();
  readonly #payloadBytes = new Map<string, number>();
  #sentToMonitor = 0;
  #counting = false;

  private constructor(redis: Redis) {
    this.#redis = redis;
    redis.on("pmessageBuffer", (_pattern: Buffer, channel: Buffer, payload: Buffer) => {
      this.#sentToMonitor += pushBytes(channel, payload);
      if (!this.#counting) return;
      const name = channel.toString("utf8");
      this.#frames.set(name, (this.#frames.get(name) ?? 0) + 1);
      this.#payloadBytes.set(name, (this.#payloadBytes.get(name) ?? 0) + payload.length);
    });
  }

  static async open(url: string): Promise<ChannelMonitor> {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    await redis.psubscribe(PATTERN);
    return new ChannelMonitor(redis);
  }

  /** Counts from now on (frames before this moment are not counted). */
  start(): void {
    this.#counting = true;
  }

  stop(): void {
    this.#counting = false;
  }

  /** Frames counted on `ternmq:m:{nodeId}`. */
  frames(nodeId: string): number {
    return this.#frames.get(`ternmq:m:${nodeId}`) ?? 0;
  }

  payloadBytes(nodeId: string): number {
    return this.#payloadBytes.get(`ternmq:m:${nodeId}`) ?? 0;
  }

  /** Bytes Redis has sent this monitor so far (pushes only). */
  get sentToMonitor(): number {
    return this.#sentToMonitor;
  }

  close(): void {
    this.#redis.disconnect();
  }
}
