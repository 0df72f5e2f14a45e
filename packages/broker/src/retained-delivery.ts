/**
 * The retained messages owed to one connection after its SUBSCRIBE packets, streamed from
 * the RetainedStore at the pace of the subscriber.
 *
 * Design: a SUBSCRIBE to `#` over a large store must deliver every matching message, QoS 0
 * included, without a queue-full or slow-consumer drop, without holding the messages in
 * memory and without blocking other clients. So the store's async iterator is read a page
 * at a time, and delivering pauses while the subscriber cannot take more:
 * - its socket is above the stream's high-water mark (resumed by 'drain', `writerDrained`);
 * - its session's inflight window is full and its queue half full (resumed by its
 *   acknowledgements, `handleAcknowledgement`);
 * - many of its packets wait in the write-ahead gate for a store commit (resumed when the
 *   gate has released half of them, `outputReleased`).
 * A page (up to `PAGE_SIZE` messages) is read before any of it is delivered, then handed over
 * in one synchronous run: the writer flushes in a queued microtask, which runs while the
 * iterator is awaited, so reading between two deliveries costs a socket write each. Push-back is
 * still checked before each message; what a pause leaves of the page goes first on resume.
 * After each full page it yields to the event loop even when nothing pushes back (the memory
 * store iterates without ever leaving the microtask queue). Filters of later
 * SUBSCRIBE packets wait their turn (one iterator at a time). The delivery runs beside the
 * connection's packet handling, which never waits for it: the acknowledgements that let it
 * continue come in on that connection. It stops when the connection closes.
 *
 * ```
 *  state     event                                 next state
 *  idle      add()                                 reading
 *  reading   subscriber pushes back                paused
 *  paused    resume() and no more push-back        reading
 *  reading   no filter left                        idle
 *  any       stop() (connection closed), read error stopped
 * ```
 */
import type { QoS } from "@ternmq/codec";
import type { RetainedMessage, RetainedStore } from "@ternmq/session";
import type { Connection } from "./connection.js";
import type { BrokerContext } from "./context.js";
import { minQoS } from "./router.js";
import type { SessionEntry } from "./session-registry.js";

export type RetainedDeliveryState = "idle" | "reading" | "paused" | "stopped";

/**
 * Messages read before they are delivered together (one socket write when nothing pushes
 * back), and between two yields to the event loop.
 */
const PAGE_SIZE = 256;
/** Held batches of the connection (write-ahead gate) at which reading pauses... */
const MAX_HELD_BATCHES = 256;
/** ...and how few must be left before it resumes (not one by one). */
const RESUME_HELD_BATCHES = MAX_HELD_BATCHES / 2;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class RetainedDelivery {
  state: RetainedDeliveryState = "idle";
  private readonly filters: { topicFilter: string; qos: QoS }[] = [];
  private iterator: AsyncIterator<RetainedMessage> | undefined;
  private grantedQoS: QoS = 0;
  /** Messages read and not delivered yet (from `pageIndex` on); reused from page to page. */
  private readonly page: RetainedMessage[] = [];
  private pageIndex = 0;

  constructor(
    private readonly context: BrokerContext,
    private readonly store: RetainedStore,
    private readonly connection: Connection,
    private readonly entry: SessionEntry,
  ) {}

  /** Queues the retained messages of `subscriptions` (granted, non-shared filters). */
  add(subscriptions: readonly { topicFilter: string; qos: QoS }[]): void {
    if (this.state === "stopped") return;
    for (const subscription of subscriptions) this.filters.push(subscription);
    if (this.state === "idle") void this.run();
  }

  /** Something that made reading pause may have cleared. */
  resume(): void {
    if (this.state !== "paused" || this.connection.heldBatches > RESUME_HELD_BATCHES) return;
    if (!this.mustPause()) void this.run();
  }

  /** The connection closed: nothing more is read. */
  stop(): void {
    this.state = "stopped";
    this.filters.length = 0;
    this.page.length = 0;
    this.pageIndex = 0;
    const iterator = this.iterator;
    this.iterator = undefined;
    iterator?.return?.().catch(() => {});
  }

  private mustPause(): boolean {
    const connection = this.connection;
    if (connection.heldBatches >= MAX_HELD_BATCHES || connection.outputBackedUp()) return true;
    const limits = this.context.settings.limits;
    const counters = this.entry.engine.counters;
    return (
      counters.inflight >= limits.maxInflight &&
      (counters.queued * 2 >= limits.maxQueuedMessages ||
        counters.queuedBytes * 2 >= limits.maxQueuedBytes)
    );
  }

  private isStopped(): boolean {
    return this.state === "stopped" || this.connection.state !== "connected";
  }

  private async run(): Promise<void> {
    this.state = "reading";
    const page = this.page;
    try {
      for (;;) {
        if (this.isStopped()) {
          this.stop();
          return;
        }
        // Deliver what is left of the page, synchronously, checking push-back before each.
        while (this.pageIndex < page.length) {
          if (this.mustPause()) {
            this.state = "paused";
            return;
          }
          this.deliver(page[this.pageIndex++] as RetainedMessage);
        }
        if (page.length > 0) {
          const full = page.length === PAGE_SIZE;
          page.length = 0;
          this.pageIndex = 0;
          // A short page ended its filter: the next one (or idle) needs no turn of its own.
          if (full) await yieldToEventLoop();
          continue;
        }
        if (this.mustPause()) {
          this.state = "paused";
          return;
        }
        let iterator = this.iterator;
        if (iterator === undefined) {
          const next = this.filters.shift();
          if (next === undefined) {
            this.state = "idle";
            return;
          }
          this.grantedQoS = next.qos;
          iterator = this.store.match(next.topicFilter)[Symbol.asyncIterator]();
          this.iterator = iterator;
        }
        await this.readPage(iterator);
      }
    } catch (error) {
      this.context.logger.error(
        { err: error, clientId: this.entry.clientId },
        "retained messages not read",
      );
      this.stop();
    }
  }

  /** Reads up to PAGE_SIZE messages of `iterator` into the page; forgets it when it ends. */
  private async readPage(iterator: AsyncIterator<RetainedMessage>): Promise<void> {
    const page = this.page;
    while (page.length < PAGE_SIZE) {
      const result = await iterator.next();
      if (this.isStopped()) return;
      if (result.done === true) {
        this.iterator = undefined;
        return;
      }
      page.push(result.value);
    }
  }

  /** [MQTT-3.3.1-6] [MQTT-3.3.1-8] RETAIN 1, at min(stored QoS, granted QoS). */
  private deliver(message: RetainedMessage): void {
    const { topic, payload } = message;
    const qos = minQoS(message.qos, this.grantedQoS);
    const now = this.context.now();
    this.context.router.deliver(this.entry, { topic, payload, qos, retain: true }, now);
  }
}
