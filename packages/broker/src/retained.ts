/**
 * Retained messages: stored per topic in the RetainedStore, sent on SUBSCRIBE.
 *
 * Design: a RETAIN=1 PUBLISH replaces the topic's message [MQTT-3.3.1-5]; a zero-byte one
 * removes it [MQTT-3.3.1-10] [MQTT-3.3.1-11] (the store does both). On SUBSCRIBE every stored
 * message matching the filter, wildcards included, is handed to the subscriber's session
 * with RETAIN=1 [MQTT-3.3.1-6] [MQTT-3.3.1-8] at min(stored QoS, granted QoS), also when the
 * SUBSCRIBE repeats an existing filter [MQTT-3.8.4-3], streamed at the subscriber's pace by
 * one RetainedDelivery per connection. Shared subscriptions get none. Every write goes
 * through the write-ahead gate (`WriteAhead.track`), so the PUBACK of a retained PUBLISH
 * waits for it and a failed write stops the broker. The `retainedCount` gauge is re-read
 * from the store after each write.
 */
import type { QoS } from "@ternmq/codec";
import type { RetainedStore } from "@ternmq/session";
import type { Logger } from "pino";
import type { Connection } from "./connection.js";
import type { BrokerContext } from "./context.js";
import { RetainedDelivery } from "./retained-delivery.js";
import type { SessionEntry } from "./session-registry.js";
import type { BrokerMessage, BrokerStats } from "./types.js";
import type { WriteAhead } from "./write-ahead.js";

export class RetainedMessages {
  private readonly updateCount = (count: number): void => {
    this.stats.retainedCount = count;
  };
  private readonly refreshCount = (): void => {
    this.store.count().then(this.updateCount, (error: unknown) => {
      this.logger.error({ err: error }, "retained store count failed");
    });
  };

  constructor(
    private readonly store: RetainedStore,
    private readonly writes: WriteAhead,
    private readonly stats: BrokerStats,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Broker start: the gauge starts from what the store already holds. */
  async restore(): Promise<void> {
    this.updateCount(await this.store.count());
  }

  /**
   * Stores (or, with an empty payload, removes) the retained message of `message.topic`.
   * The write is tracked by the write-ahead gate; the Promise is for callers that wait.
   */
  retain(message: BrokerMessage): Promise<void> {
    const { topic, payload, qos } = message;
    const write = this.store.set({ topic, payload, qos, retain: true, receivedAt: this.now() });
    this.writes.track(write);
    write.then(this.refreshCount, () => {}); // a failure is the write-ahead gate's to report
    return write;
  }

  /** Streams the retained messages matching each filter to `connection`, with RETAIN set. */
  deliver(
    context: BrokerContext,
    connection: Connection,
    entry: SessionEntry,
    subscriptions: readonly { topicFilter: string; qos: QoS }[],
  ): void {
    connection.retained ??= new RetainedDelivery(context, this.store, connection, entry);
    connection.retained.add(subscriptions);
  }
}
