/**
 * The outgoing side of one connection: batched writes, backpressure and the slow-consumer
 * rules.
 *
 * Design: packets written during one turn of the event loop are collected in a batch; the
 * first one registers the writer with the broker's FlushScheduler, which flushes every dirty
 * writer once, in a microtask at the end of the turn: all packets produced by one incoming
 * chunk (or one fan-out) leave in one write. A batch up to 64 KiB is coalesced into one
 * buffer; a larger one is written corked, chunk by chunk (a vectored write), so a large
 * PUBLISH payload is written as the Buffer every subscriber shares, never copied.
 *
 * Backpressure: the stream's own buffer (`writableLength`) is the outgoing buffer. QoS 0
 * PUBLISH packets that would take it past `maxOutgoingBufferBytes` are dropped (the caller
 * counts them), except into an empty buffer, which takes any one message; control packets and QoS 1/2 PUBLISH are always written, and they are bounded
 * by the session engine's inflight window (the rest waits in the engine's queue). When
 * `write()` returns false the writer tells its owner (the connection stops reading from
 * that client until the stream drains, so a client that floods without reading its
 * acknowledgements cannot grow the buffer) and starts a drain timer; if the stream has not
 * drained after `drainTimeoutMs` the owner is told the stream is frozen and closes it, so one
 * frozen subscriber never holds the broker's memory or the others' messages.
 *
 * state: "open" -> "waiting-drain" (write returned false) -> "open" ('drain') ...
 *        any -> "closed" (close()).
 */
import type { Duplex } from "node:stream";
import type { BrokerStats } from "./types.js";

export type WriterState = "open" | "waiting-drain" | "closed";

/**
 * A batch up to this size is copied into one buffer and written at once (one write request
 * instead of one per packet); a larger one is written chunk by chunk, corked, so that large
 * payloads stay shared instead of copied.
 */
const COALESCE_UP_TO = 64 * 1024;

/** The drain timer's callback, shared by every writer (it gets the writer as its argument). */
function onDrainTimeout(writer: ConnectionWriter): void {
  writer.drainTimedOut();
}

/** Uncorks every writer that wrote during this event-loop turn, once, at its end. */
export class FlushScheduler {
  private readonly dirty: ConnectionWriter[] = [];
  private scheduled = false;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    const dirty = this.dirty;
    // Writers added while flushing (a 'drain' handler writing) are flushed in this loop too.
    for (let index = 0; index < dirty.length; index++) dirty[index]?.flush();
    dirty.length = 0;
  };

  add(writer: ConnectionWriter): void {
    this.dirty.push(writer);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushAll);
    }
  }
}

/** What a writer tells its connection about the stream's backpressure. */
export interface WriterOwner {
  /** `write()` returned false: the stream holds more than its high-water mark. */
  writerBlocked(): void;
  /** The stream drained after `writerBlocked`. */
  writerDrained(): void;
  /** The stream did not drain within `drainTimeoutMs` of `writerBlocked`. */
  writerFrozen(): void;
}

export class ConnectionWriter {
  state: WriterState = "open";
  /** Chunks written during this event-loop turn, not yet handed to the stream. */
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  /** The stream's 'drain' listener, created the first time the stream pushes back. */
  private onDrain: (() => void) | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly scheduler: FlushScheduler,
    private readonly stats: BrokerStats,
    private readonly maxBufferedBytes: number,
    private readonly drainTimeoutMs: number,
    private readonly owner: WriterOwner,
  ) {}

  /**
   * Whether `bytes` more would take the outgoing buffer past its limit (QoS 0 is dropped).
   * An empty buffer takes any one message, so a QoS 0 message larger than the limit still
   * reaches a subscriber that keeps up; the limit bounds what piles up behind it.
   */
  wouldOverflow(bytes: number): boolean {
    const buffered = this.stream.writableLength + this.batchBytes;
    return buffered > 0 && buffered + bytes > this.maxBufferedBytes;
  }

  /** Whether the stream, with this turn's batch, holds its high-water mark or more. */
  aboveHighWaterMark(): boolean {
    if (this.state !== "open") return true;
    return this.stream.writableLength + this.batchBytes >= this.stream.writableHighWaterMark;
  }

  /** Writes one chunk (a control packet, or a whole PUBLISH). */
  write(chunk: Uint8Array): void {
    if (this.state === "closed") return;
    this.add(chunk);
  }

  /** Writes a PUBLISH as its head and the shared payload (an empty payload is left out). */
  writePublish(head: Uint8Array, payload: Uint8Array): void {
    if (this.state === "closed") return;
    this.add(head);
    if (payload.length > 0) this.add(payload);
  }

  /** Hands this turn's batch to the stream in one write (the FlushScheduler calls this). */
  flush(): void {
    const chunks = this.batch;
    if (chunks.length === 0) return;
    const bytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    const stream = this.stream;
    let accepted: boolean;
    if (chunks.length === 1) {
      accepted = stream.write(chunks[0] as Uint8Array);
    } else if (bytes <= COALESCE_UP_TO) {
      accepted = stream.write(Buffer.concat(chunks, bytes));
    } else {
      stream.cork();
      for (const chunk of chunks) stream.write(chunk);
      stream.uncork();
      accepted = !stream.writableNeedDrain;
    }
    if (!accepted) this.waitForDrain();
  }

  /** Flushes, then stops writing and the drain timer; the stream sends what it holds. */
  close(): void {
    this.flush();
    this.state = "closed";
    this.clearDrainTimer();
    if (this.onDrain !== undefined) this.stream.off("drain", this.onDrain);
  }

  /** The drain timer fired: the stream is still full after `drainTimeoutMs`. */
  drainTimedOut(): void {
    this.drainTimer = undefined;
    if (this.state === "waiting-drain") this.owner.writerFrozen();
  }

  private add(chunk: Uint8Array): void {
    if (this.batch.length === 0) this.scheduler.add(this);
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    this.stats.bytesSent += chunk.length;
  }

  private waitForDrain(): void {
    if (this.state !== "open") return;
    this.state = "waiting-drain";
    // Most connections never fill their stream: the listener exists only for those that do.
    if (this.onDrain === undefined) {
      this.onDrain = (): void => {
        if (this.state !== "waiting-drain") return;
        this.state = "open";
        this.clearDrainTimer();
        this.owner.writerDrained();
      };
      this.stream.on("drain", this.onDrain);
    }
    this.drainTimer = setTimeout(onDrainTimeout, this.drainTimeoutMs, this);
    this.drainTimer.unref();
    this.owner.writerBlocked();
  }

  private clearDrainTimer(): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }
}
