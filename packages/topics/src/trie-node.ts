import type { SharedGroupList } from "./shared-group.js";
import type { SubscriberList } from "./subscriber-list.js";

/** A node with more literal children than this keeps them in a `Map`, below it in an array. */
const MAX_LISTED_CHILDREN = 8;
/** A `Map` shrinking to this size turns back into an array (hysteresis against flapping). */
const RELIST_AT = 4;

/** Shared subscription groups at one node, by ShareName (rare, so kept out of every node). */
export interface SharedGroups<T, Id> {
  exact: Map<string, SharedGroupList<T, Id>> | undefined;
  multi: Map<string, SharedGroupList<T, Id>> | undefined;
}

/**
 * One level of the subscription trie. The root has no parent and level "".
 *
 * Design: most nodes have one literal child (a chain of levels under a unique device id, say)
 * or a few, so `children` holds a lone child directly, then a small exact-size array; both are
 * searched with `topic.startsWith(level, start)`, so no substring of the topic is created to find
 * them, and they cost far less memory than a `Map`. Past `MAX_LISTED_CHILDREN` the children move
 * to a `Map` keyed by level string, where a lookup slices the level out of the topic once.
 */
export class TrieNode<T, Id> {
  readonly parent: TrieNode<T, Id> | undefined;
  /** The key under which the parent holds this node ("+" for the parent's `plus` child). */
  readonly level: string;
  children: TrieNode<T, Id> | Array<TrieNode<T, Id>> | Map<string, TrieNode<T, Id>> | undefined =
    undefined;
  plus: TrieNode<T, Id> | undefined = undefined;
  /** Subscriptions whose filter ends at this node. */
  exact: SubscriberList<T, Id> | undefined = undefined;
  /** Subscriptions whose filter is this node's path followed by "/#" (or "#" at the root). */
  multi: SubscriberList<T, Id> | undefined = undefined;
  shared: SharedGroups<T, Id> | undefined = undefined;

  constructor(parent: TrieNode<T, Id> | undefined, level: string) {
    this.parent = parent;
    this.level = level;
  }

  isEmpty(): boolean {
    return (
      this.children === undefined &&
      this.plus === undefined &&
      this.exact === undefined &&
      this.multi === undefined &&
      this.shared === undefined
    );
  }

  /** The literal child for `topic.slice(start, end)`, found without slicing unless in a Map. */
  childForRange(topic: string, start: number, end: number): TrieNode<T, Id> | undefined {
    const children = this.children;
    if (children === undefined) return undefined;
    const length = end - start;
    if (children instanceof TrieNode) {
      const level = children.level;
      return level.length === length && topic.startsWith(level, start) ? children : undefined;
    }
    if (Array.isArray(children)) {
      for (let at = 0; at < children.length; at++) {
        const child = children[at] as TrieNode<T, Id>;
        const level = child.level;
        if (level.length === length && topic.startsWith(level, start)) return child;
      }
      return undefined;
    }
    return children.get(start === 0 && end === topic.length ? topic : topic.slice(start, end));
  }

  /** The literal child named `level`. */
  childNamed(level: string): TrieNode<T, Id> | undefined {
    const children = this.children;
    if (children === undefined) return undefined;
    if (children instanceof TrieNode) return children.level === level ? children : undefined;
    if (Array.isArray(children)) return children.find((child) => child.level === level);
    return children.get(level);
  }

  /** Adds a literal child (its level must not be present yet). */
  addChild(child: TrieNode<T, Id>): void {
    const children = this.children;
    if (children === undefined) {
      this.children = child;
    } else if (children instanceof TrieNode) {
      this.children = [children, child];
    } else if (!Array.isArray(children)) {
      children.set(child.level, child);
    } else if (children.length < MAX_LISTED_CHILDREN) {
      // Exact-size copy: `push` would reserve ~17 slots.
      const grown = new Array<TrieNode<T, Id>>(children.length + 1);
      for (let at = 0; at < children.length; at++) grown[at] = children[at] as TrieNode<T, Id>;
      grown[children.length] = child;
      this.children = grown;
    } else {
      const map = new Map<string, TrieNode<T, Id>>();
      for (const listed of children) map.set(listed.level, listed);
      map.set(child.level, child);
      this.children = map;
    }
  }

  /** Removes a literal child. */
  removeChild(child: TrieNode<T, Id>): void {
    const children = this.children;
    if (children === undefined) return;
    if (children instanceof TrieNode) {
      if (children === child) this.children = undefined;
    } else if (Array.isArray(children)) {
      const remaining = children.filter((listed) => listed !== child);
      this.children = remaining.length === 1 ? remaining[0] : remaining;
    } else {
      children.delete(child.level);
      if (children.size <= RELIST_AT) this.children = [...children.values()];
    }
  }
}
