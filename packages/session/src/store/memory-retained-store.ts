/**
 * `RetainedStore` kept in the process's memory: nothing survives a restart.
 *
 * Design: a tree with one node per topic level ("a/b" is root → "a" → "b"; empty levels are
 * nodes too), each node holding the retained message of the topic that ends there. `match`
 * walks the tree by the filter's levels without recursion: a literal level follows one
 * child, `+` follows every child, `#` takes the whole subtree. So a filter with a literal
 * prefix only visits that branch, and `sport/+/score` never visits `sport/tennis/player1`.
 * Every candidate is then confirmed with `matchesFilter` from `@ternmq/topics`, which stays
 * the single source of truth for the matching rules (notably `$` topics [MQTT-4.7.2-1]).
 * Deleting prunes the nodes left without a message and without children. `count` is kept
 * as a counter. Messages are copied on the way in and out; payload bytes are shared.
 */
import { matchesFilter } from "@ternmq/topics";
import { copyRetainedMessage } from "./copy.js";
import type { RetainedMessage, RetainedStore } from "./retained-store.js";
import { storeClosedError } from "./store-error.js";

interface TopicNode {
  readonly children: Map<string, TopicNode>;
  message: RetainedMessage | undefined;
}

/** A node still to visit, and the index of the filter level it must match next. */
interface PendingNode {
  node: TopicNode;
  level: number;
}

/** In-memory `RetainedStore`; see the module comment and retained-store.ts for the contract. */
export class MemoryRetainedStore implements RetainedStore {
  private readonly root: TopicNode = newNode();
  private size = 0;
  private state: "open" | "closed" = "open";

  async set(message: RetainedMessage): Promise<void> {
    this.assertOpen();
    // [MQTT-3.3.1-10] [MQTT-3.3.1-11] a zero-byte retained message clears and is not stored.
    if (message.payload.length === 0) {
      this.remove(message.topic);
      return;
    }
    let node = this.root;
    for (const level of message.topic.split("/")) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = newNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.message === undefined) this.size++;
    // [MQTT-3.3.1-5] the new message replaces any retained message of the same topic.
    node.message = copyRetainedMessage(message);
  }

  async delete(topic: string): Promise<void> {
    this.assertOpen();
    this.remove(topic);
  }

  async get(topic: string): Promise<RetainedMessage | undefined> {
    this.assertOpen();
    let node: TopicNode | undefined = this.root;
    for (const level of topic.split("/")) {
      node = node.children.get(level);
      if (node === undefined) return undefined;
    }
    return node.message === undefined ? undefined : copyRetainedMessage(node.message);
  }

  async *match(filter: string): AsyncIterable<RetainedMessage> {
    this.assertOpen();
    const levels = filter.split("/");
    const pending: PendingNode[] = [{ node: this.root, level: 0 }];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { node, level } = next;
      const filterLevel = levels[level];
      // A message is a candidate when the filter ends here, or continues with "#" which also
      // matches its parent level ("sport/#" matches "sport").
      if (node.message !== undefined && (filterLevel === undefined || filterLevel === "#")) {
        const message = node.message;
        if (matchesFilter(filter, message.topic)) {
          yield copyRetainedMessage(message);
          this.assertOpen();
        }
      }
      if (filterLevel === undefined) continue;
      if (filterLevel === "#") {
        // Stay on the "#" level for the whole subtree.
        for (const child of node.children.values()) pending.push({ node: child, level });
      } else if (filterLevel === "+") {
        for (const child of node.children.values()) pending.push({ node: child, level: level + 1 });
      } else {
        const child = node.children.get(filterLevel);
        if (child !== undefined) pending.push({ node: child, level: level + 1 });
      }
    }
  }

  async count(): Promise<number> {
    this.assertOpen();
    return this.size;
  }

  async close(): Promise<void> {
    this.state = "closed";
    this.root.children.clear();
    this.root.message = undefined;
    this.size = 0;
  }

  /** Removes the message of `topic` and prunes the branch nodes it leaves empty. */
  private remove(topic: string): void {
    const path: TopicNode[] = [this.root];
    const levels = topic.split("/");
    for (const level of levels) {
      const child = path[path.length - 1]?.children.get(level);
      if (child === undefined) return;
      path.push(child);
    }
    const leaf = path[path.length - 1];
    if (leaf?.message === undefined) return;
    leaf.message = undefined;
    this.size--;
    for (let depth = levels.length; depth > 0; depth--) {
      const node = path[depth];
      const parent = path[depth - 1];
      const level = levels[depth - 1];
      if (node === undefined || parent === undefined || level === undefined) break;
      if (node.message !== undefined || node.children.size > 0) break;
      parent.children.delete(level);
    }
  }

  private assertOpen(): void {
    if (this.state === "closed") throw storeClosedError("MemoryRetainedStore");
  }
}

function newNode(): TopicNode {
  return { children: new Map(), message: undefined };
}
