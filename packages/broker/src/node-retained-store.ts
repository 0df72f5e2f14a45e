/**
 * The retained store a broker uses: `$SYS` messages in memory, every other topic in the
 * configured store.
 *
 * Design: `$SYS/...` values describe one broker process and change every `sysInterval`. Kept
 * in the configured store, they would cost a durable write per change and, in a cluster, each
 * node would overwrite the others' values in the shared store. A filter reaches `$SYS` topics
 * only when its first level is `$SYS` (a leading wildcard never matches a `$` topic
 * [MQTT-4.7.2-1]), so each call goes to exactly one of the two stores; `count` adds both.
 */
import { MemoryRetainedStore, type RetainedMessage, type RetainedStore } from "@ternmq/session";
import { isSysTopic } from "./sys-topic.js";

/** Whether `filter` can match `$SYS` topics only (its first level is `$SYS`). */
function isSysFilter(filter: string): boolean {
  return filter === "$SYS" || filter.startsWith("$SYS/");
}

export class NodeRetainedStore implements RetainedStore {
  private readonly sys = new MemoryRetainedStore();

  constructor(private readonly shared: RetainedStore) {}

  set(message: RetainedMessage): Promise<void> {
    return isSysTopic(message.topic) ? this.sys.set(message) : this.shared.set(message);
  }

  delete(topic: string): Promise<void> {
    return isSysTopic(topic) ? this.sys.delete(topic) : this.shared.delete(topic);
  }

  get(topic: string): Promise<RetainedMessage | undefined> {
    return isSysTopic(topic) ? this.sys.get(topic) : this.shared.get(topic);
  }

  match(filter: string): AsyncIterable<RetainedMessage> {
    return isSysFilter(filter) ? this.sys.match(filter) : this.shared.match(filter);
  }

  async count(): Promise<number> {
    const [sys, shared] = await Promise.all([this.sys.count(), this.shared.count()]);
    return sys + shared;
  }

  async close(): Promise<void> {
    await Promise.all([this.sys.close(), this.shared.close()]);
  }
}
