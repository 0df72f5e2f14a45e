/**
 * Retained messages: stored per topic in the RetainedStore, sent on SUBSCRIBE.
 *
 * Design: a RETAIN=1 PUBLISH replaces the topic's message [MQTT-3.3.1-5]; a zero-byte one
 * removes it [MQTT-3.3.1-10] [MQTT-3.3.1-11] (the store does both). On SUBSCRIBE every stored
 * message matching the filter, wildcards included, is handed to the subscriber's session
 * with RETAIN=1 [MQTT-3.3.1-6] [MQTT-3.3.1-8] at min(stored QoS, granted QoS), also when the
 * SUBSCRIBE repeats an existing filter [MQTT-3.8.4-3]. Shared subscriptions get none. The
 * `retainedCount` gauge is re-read from the store after each write.
 */
import type { QoS } from "@ternmq/codec";
import type { RetainedStore } from "@ternmq/session";
import type { Logger } from "pino";
import { minQoS, type Router } from "./router.js";
import type { SessionEntry } from "./session-registry.js";
import type { BrokerMessage, BrokerStats } from "./types.js";

export class RetainedMessages {
  private readonly updateCount = (count: number): void => {
    this.stats.retainedCount = count;
  };

  constructor(
    private readonly store: RetainedStore,
    private readonly router: Router,
    private readonly stats: BrokerStats,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Broker start: the gauge starts from what the store already holds. */
  async restore(): Promise<void> {
    this.updateCount(await this.store.count());
  }

  /** Stores (or, with an empty payload, removes) the retained message of `message.topic`. */
  async retain(message: BrokerMessage): Promise<void> {
    const { topic, payload, qos } = message;
    try {
      await this.store.set({ topic, payload, qos, retain: true, receivedAt: this.now() });
    } finally {
      this.store.count().then(this.updateCount, (error: unknown) => {
        this.logger.error({ err: error }, "retained store count failed");
      });
    }
  }

  /** Sends the retained messages matching each filter to `entry`, with RETAIN set. */
  async sendMatching(
    entry: SessionEntry,
    subscriptions: readonly { topicFilter: string; qos: QoS }[],
  ): Promise<void> {
    for (const { topicFilter, qos } of subscriptions) {
      for await (const message of this.store.match(topicFilter)) {
        const { topic, payload } = message;
        const deliveredQoS = minQoS(message.qos, qos);
        this.router.deliver(entry, { topic, payload, qos: deliveredQoS, retain: true }, this.now());
      }
    }
  }
}
