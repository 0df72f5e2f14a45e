/**
 * The outgoing side of one connection: batched writes, backpressure and the slow-consumer
 * rules.
 *
 * Design: the first write of an event-loop turn corks the stream and registers the writer
 * with the broker's FlushScheduler, which uncorks every dirty writer once, in a microtask at
 * the end of the turn: all packets produced by one incoming chunk (or one fan-out) leave in
 * one vectored write. A PUBLISH is written as [head, payload] so that the payload Buffer is
 * shared by every subscriber, never copied.
 *
 * Backpressure: the stream's own buffer (`writableLength`) is the outgoing buffer. QoS 0
 * PUBLISH packets that would take it past `maxOutgoingBufferBytes` are dropped (the caller
 * counts them); control packets and QoS 1/2 PUBLISH are always written, and they are bounded
 * by the session engine's inflight window (the rest waits in the engine's queue). When
 * `write()` returns false a drain timer starts; if the stream has not drained after
 * `drainTimeoutMs` the writer reports the connection frozen and the connection closes it,
 * so one frozen subscriber never holds the broker's memory or the others' messages.
 *
 * state: "open" -> "waiting-drain" (write returned false) -> "open" ('drain') ...
 *        any -> "closed" (close()).
 */
import type { Duplex } from "node:stream";
import type { BrokerStats } from "./types.js";

export type WriterState = "open" | "waiting-drain" | "closed";

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

export class ConnectionWriter {
  state: WriterState = "open";
  private corked = false;
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly onDrain = (): void => {
    if (this.state !== "waiting-drain") return;
    this.state = "open";
    this.clearDrainTimer();
  };
  private readonly onDrainTimeout = (): void => {
    this.drainTimer = undefined;
    if (this.state === "waiting-drain") this.onFrozen();
  };

  constructor(
    private readonly stream: Duplex,
    private readonly scheduler: FlushScheduler,
    private readonly stats: BrokerStats,
    private readonly maxBufferedBytes: number,
    private readonly drainTimeoutMs: number,
    private readonly onFrozen: () => void,
  ) {
    stream.on("drain", this.onDrain);
  }

  /** Whether `bytes` more would take the outgoing buffer past its limit (QoS 0 is dropped). */
  wouldOverflow(bytes: number): boolean {
    return this.stream.writableLength + bytes > this.maxBufferedBytes;
  }

  /** Writes one chunk (a control packet, or a PUBLISH head). */
  write(chunk: Uint8Array): void {
    if (this.state === "closed") return;
    this.cork();
    this.stats.bytesSent += chunk.length;
    if (!this.stream.write(chunk)) this.waitForDrain();
  }

  /** Writes a PUBLISH as its head and the shared payload. */
  writePublish(head: Uint8Array, payload: Uint8Array): void {
    if (this.state === "closed") return;
    this.cork();
    this.stats.bytesSent += head.length + payload.length;
    this.stream.write(head);
    if (payload.length > 0 && !this.stream.write(payload)) this.waitForDrain();
    else if (this.stream.writableNeedDrain) this.waitForDrain();
  }

  /** Uncorks: the batch of this turn goes out (the FlushScheduler calls this). */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.stream.uncork();
  }

  /** Stops writing and the drain timer; what was written is left to the stream. */
  close(): void {
    this.flush();
    this.state = "closed";
    this.clearDrainTimer();
    this.stream.off("drain", this.onDrain);
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.stream.cork();
    this.scheduler.add(this);
  }

  private waitForDrain(): void {
    if (this.state !== "open") return;
    this.state = "waiting-drain";
    this.drainTimer = setTimeout(this.onDrainTimeout, this.drainTimeoutMs);
    this.drainTimer.unref();
  }

  private clearDrainTimer(): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }
}
