/**
 * Messages bound for other nodes' clean sessions, batched into one frame per destination node
 * and event-loop turn, sent as one Redis PUBLISH to `P m:{node}`.
 *
 * Design: `add` appends a message (its header encoded once by the caller, shared by every
 * destination) to the destination's `FrameBuilder` and, on the first message of a turn,
 * schedules one `flush` with `setImmediate`, so every PUBLISH of the turn (one TCP chunk of a
 * fast publisher, say) crosses together. Builders are kept per node and reused. While Redis is
 * unreachable a frame is dropped instead of queued (clean sessions have no delivery guarantee
 * across an outage, and a queue would grow without bound): `dropped` counts the messages and
 * the first drop of each outage is reported through `onFirstDrop`.
 *
 * A frame is sent before the turn ends once it reaches `MAX_FRAME_BYTES`: Redis disconnects
 * a subscriber whose output buffer passes `client-output-buffer-limit pubsub` (32 MiB hard by
 * default), so one frame must stay well below it however much one turn publishes.
 */
import type { Redis } from "ioredis";
import { FrameBuilder } from "./message-frame.js";

/** Size from which a frame is sent at once instead of at the end of the turn. */
export const MAX_FRAME_BYTES = 1024 * 1024;

export type OutboxState = "idle" | "scheduled";

interface Destination {
  readonly channel: string;
  readonly builder: FrameBuilder;
}

export class FrameOutbox {
  /** Messages dropped because Redis was unreachable when their frame was due. */
  dropped = 0;
  /** Frames published. */
  framesSent = 0;
  private state: OutboxState = "idle";
  private readonly destinations = new Map<string, Destination>();
  private dropReported = false;
  private readonly flushNow = (): void => this.flush();

  /**
   * @param redis the command connection frames are published on.
   * @param channelOf the frame channel of a node.
   * @param isAvailable whether Redis is reachable now.
   * @param onFirstDrop told once per outage, at the first dropped frame.
   * @param onPublishError told when a PUBLISH fails.
   */
  constructor(
    private readonly redis: Redis,
    private readonly channelOf: (nodeId: string) => string,
    private readonly isAvailable: () => boolean,
    private readonly onFirstDrop: (messages: number) => void,
    private readonly onPublishError: (error: unknown) => void,
  ) {}

  /** Queues one message for `nodeId`: its `header` (see `encodeHeader`) and `payload`. */
  add(nodeId: string, header: Buffer, payload: Uint8Array): void {
    let destination = this.destinations.get(nodeId);
    if (destination === undefined) {
      destination = { channel: this.channelOf(nodeId), builder: new FrameBuilder() };
      this.destinations.set(nodeId, destination);
    }
    destination.builder.append(header, payload);
    if (destination.builder.byteLength >= MAX_FRAME_BYTES) {
      this.send(destination, this.isAvailable());
    } else if (this.state === "idle") {
      this.state = "scheduled";
      setImmediate(this.flushNow);
    }
  }

  /** Redis is reachable again: the next drop is reported again. */
  outageEnded(): void {
    this.dropReported = false;
  }

  /** Forgets a node's builder (the node left the cluster). */
  forget(nodeId: string): void {
    this.destinations.delete(nodeId);
  }

  /** Sends (or drops) every pending frame now. */
  flush(): void {
    this.state = "idle";
    const available = this.isAvailable();
    for (const destination of this.destinations.values()) {
      if (destination.builder.count > 0) this.send(destination, available);
    }
  }

  private send(destination: Destination, available: boolean): void {
    const builder = destination.builder;
    if (!available) {
      this.drop(builder.count);
      builder.reset();
      return;
    }
    this.framesSent++;
    this.redis.publish(destination.channel, builder.take()).catch(this.onPublishError);
  }

  private drop(messages: number): void {
    this.dropped += messages;
    if (this.dropReported) return;
    this.dropReported = true;
    this.onFirstDrop(messages);
  }
}
