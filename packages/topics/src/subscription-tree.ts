import { type SharedGroup, SharedGroupList } from "./shared-group.js";
import { parseSharedSubscription } from "./shared-subscription.js";
import { SubscriberList } from "./subscriber-list.js";
import { TopicError } from "./topic-error.js";
import { assertTopicFilter, DEFAULT_MAX_TOPIC_LEVELS } from "./validate.js";

/** Receives one matching subscription. `context` is the value passed to the match method. */
export type MatchCallback<T, Id, C> = (
  subscriberId: Id,
  value: T,
  filter: string,
  context: C,
) => void;

/** Receives one matching shared subscription group. */
export type SharedGroupCallback<T, Id, C> = (group: SharedGroup<T, Id>, context: C) => void;

/** One (subscriber, value, filter) result of `SubscriptionTree.match`. */
export interface SubscriptionMatch<T, Id = string> {
  readonly subscriberId: Id;
  readonly value: T;
  readonly filter: string;
}

export interface SubscriptionTreeOptions {
  /** Filters with more levels are rejected by `add`; default `DEFAULT_MAX_TOPIC_LEVELS`. */
  maxLevels?: number;
}

const HASH = 0x23;
const DOLLAR = 0x24;
/** Scratch arrays longer than this after a match are dropped instead of kept for reuse. */
const SCRATCH_KEEP_LIMIT = 1024;

/** One level of the trie. The root has no parent and level "". */
class TrieNode<T, Id> {
  readonly parent: TrieNode<T, Id> | undefined;
  /** The key under which the parent holds this node ("+" for the parent's `plus` child). */
  readonly level: string;
  children: Map<string, TrieNode<T, Id>> | undefined = undefined;
  plus: TrieNode<T, Id> | undefined = undefined;
  /** Subscriptions whose filter ends at this node. */
  exact: SubscriberList<T, Id> | undefined = undefined;
  /** Subscriptions whose filter is this node's path followed by "/#" (or "#" at the root). */
  multi: SubscriberList<T, Id> | undefined = undefined;
  sharedExact: Map<string, SharedGroupList<T, Id>> | undefined = undefined;
  sharedMulti: Map<string, SharedGroupList<T, Id>> | undefined = undefined;

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
      this.sharedExact === undefined &&
      this.sharedMulti === undefined
    );
  }
}

/**
 * Reusable buffers of one match: the topic's levels, the explicit DFS stack, the matched nodes
 * and, for the per-subscriber policy, the best subscription seen for each subscriber.
 */
class MatchScratch<T, Id> {
  levels: string[] = [];
  stackNodes: Array<TrieNode<T, Id> | undefined> = [];
  stackDepths: number[] = [];
  exactNodes: Array<TrieNode<T, Id> | undefined> = [];
  exactCount = 0;
  multiNodes: Array<TrieNode<T, Id> | undefined> = [];
  multiCount = 0;
  bestPosition = new Map<Id, number>();
  bestIds: Array<Id | undefined> = [];
  bestValues: Array<T | undefined> = [];
  bestFilters: string[] = [];
  bestQos: number[] = [];
  bestCount = 0;

  /** Drops references to nodes and values so that nothing removed stays reachable. */
  release(): void {
    this.exactNodes.fill(undefined, 0, this.exactCount);
    this.multiNodes.fill(undefined, 0, this.multiCount);
    this.bestIds.fill(undefined, 0, this.bestCount);
    this.bestValues.fill(undefined, 0, this.bestCount);
    this.exactCount = 0;
    this.multiCount = 0;
    this.bestCount = 0;
    this.bestPosition.clear();
    if (this.levels.length > SCRATCH_KEEP_LIMIT) this.levels = [];
    if (this.stackNodes.length > SCRATCH_KEEP_LIMIT) {
      this.stackNodes = [];
      this.stackDepths = [];
    }
  }
}

/**
 * Subscriptions indexed by filter, matched against topic names.
 *
 * Design: a trie with one node per filter level. Each node holds its literal children in a `Map`
 * keyed by the level string, its `+` child in a separate field, and the subscriber lists of the
 * filters that end there (`exact`) or continue with `#` (`multi`), plus the same two for shared
 * subscription groups. Matching a topic of L levels splits it into a reused array (one substring
 * per level, no `split`), then walks the trie with an explicit stack (no recursion, so any depth
 * is safe), visiting at most the nodes whose path matches a prefix of the topic: with W filters
 * using `+` along the way the cost is O(L * 2^W) in the worst case, O(L + results) in practice.
 * The walk records matched nodes in reused arrays; the public methods then report subscriptions
 * through a callback, so a match allocates nothing but the level substrings (plus, for
 * `forEachSubscriber`, Map slots for the per-subscriber dedup, reused across calls).
 *
 * Removing a node's last subscription frees the node and its empty ancestors, so the node count
 * returns to 0 when every subscription is removed.
 *
 * A session that ends must have its subscriptions removed one by one: the broker already keeps
 * each session's filters (it needs them for persistence and for the 5.0 subscription options),
 * so it calls `remove(filter, clientId)` for each, O(levels) apiece. The tree keeps no reverse
 * index from subscriber to filters, which would cost memory on every subscription.
 *
 * Do not add or remove subscriptions from inside a match callback (defer them): lists are
 * compacted in place and an entry could be skipped. A callback may run another match.
 */
export class SubscriptionTree<T, Id = string> {
  private readonly root = new TrieNode<T, Id>(undefined, "");
  private readonly maxLevels: number;
  private nodes = 0;
  private subscriptions = 0;
  private sharedSubscriptions = 0;
  /** The scratch not in use; a nested match (from a callback) gets a fresh one. */
  private idleScratch: MatchScratch<T, Id> | undefined = new MatchScratch<T, Id>();

  constructor(options?: SubscriptionTreeOptions) {
    this.maxLevels = options?.maxLevels ?? DEFAULT_MAX_TOPIC_LEVELS;
  }

  /** Non-shared subscriptions held (for `$SYS`). */
  get subscriptionCount(): number {
    return this.subscriptions;
  }

  /** Memberships of shared subscription groups held. */
  get sharedSubscriptionCount(): number {
    return this.sharedSubscriptions;
  }

  /** Trie nodes allocated, root excluded: 0 when the tree is empty. */
  get nodeCount(): number {
    return this.nodes;
  }

  /**
   * Adds the subscription of `subscriberId` to `filter`, or replaces its value (e.g. a new QoS:
   * [MQTT-3.8.4-3] a repeated SUBSCRIBE replaces the existing subscription).
   *
   * Parameters: `filter`, a plain Topic Filter (a `$share/...` string is taken literally, as
   * in 3.1.1; use `addShared` for 5.0 shared subscriptions); `subscriberId`; `value`.
   * Returns: true when the subscription is new, false when it replaced one.
   * Throws: `TopicError` when the filter is invalid (see `validateTopicFilter`).
   */
  add(filter: string, subscriberId: Id, value: T): boolean {
    assertTopicFilter(filter, { maxLevels: this.maxLevels });
    const node = this.nodeFor(filter, true) as TrieNode<T, Id>;
    const multi = endsWithHash(filter);
    const list = multi ? node.multi : node.exact;
    if (list === undefined) {
      const created = new SubscriberList<T, Id>(filter, subscriberId, value);
      if (multi) node.multi = created;
      else node.exact = created;
    } else if (!list.set(subscriberId, value)) {
      return false;
    }
    this.subscriptions++;
    return true;
  }

  /**
   * Removes the subscription of `subscriberId` to `filter`.
   * Returns: true when there was one. Never throws (an invalid filter is simply not found).
   */
  remove(filter: string, subscriberId: Id): boolean {
    const node = this.nodeFor(filter, false);
    if (node === undefined) return false;
    const multi = endsWithHash(filter);
    const list = multi ? node.multi : node.exact;
    if (list === undefined || !list.delete(subscriberId)) return false;
    if (list.size === 0) {
      if (multi) node.multi = undefined;
      else node.exact = undefined;
      this.prune(node);
    }
    this.subscriptions--;
    return true;
  }

  /** The value stored for `subscriberId` on `filter`, or undefined. */
  get(filter: string, subscriberId: Id): T | undefined {
    const node = this.nodeFor(filter, false);
    if (node === undefined) return undefined;
    return (endsWithHash(filter) ? node.multi : node.exact)?.get(subscriberId);
  }

  /**
   * Adds `subscriberId` to the shared subscription `$share/{shareName}/{topicFilter}` (MQTT 5.0
   * section 4.8.2), or replaces its value.
   * Returns: true when the membership is new.
   * Throws: `TopicError` (`MQTT_ERR_SHARED_SUBSCRIPTION_INVALID` or a filter error).
   */
  addShared(sharedFilter: string, subscriberId: Id, value: T): boolean {
    const parsed = parseSharedSubscription(sharedFilter, { maxLevels: this.maxLevels });
    if (parsed instanceof TopicError) throw parsed;
    const { shareName, topicFilter } = parsed;
    const node = this.nodeFor(topicFilter, true) as TrieNode<T, Id>;
    const multi = endsWithHash(topicFilter);
    let groups = multi ? node.sharedMulti : node.sharedExact;
    if (groups === undefined) {
      groups = new Map();
      if (multi) node.sharedMulti = groups;
      else node.sharedExact = groups;
    }
    const group = groups.get(shareName);
    if (group === undefined) {
      groups.set(
        shareName,
        new SharedGroupList(sharedFilter, shareName, topicFilter, subscriberId, value),
      );
    } else if (!group.set(subscriberId, value)) {
      return false;
    }
    this.sharedSubscriptions++;
    return true;
  }

  /** Removes `subscriberId` from the shared subscription; returns true when it was a member. */
  removeShared(sharedFilter: string, subscriberId: Id): boolean {
    const parsed = parseSharedSubscription(sharedFilter, { maxLevels: this.maxLevels });
    if (parsed instanceof TopicError) return false;
    const { shareName, topicFilter } = parsed;
    const node = this.nodeFor(topicFilter, false);
    if (node === undefined) return false;
    const multi = endsWithHash(topicFilter);
    const groups = multi ? node.sharedMulti : node.sharedExact;
    const group = groups?.get(shareName);
    if (groups === undefined || group === undefined || !group.delete(subscriberId)) return false;
    if (group.size === 0) {
      groups.delete(shareName);
      if (groups.size === 0) {
        if (multi) node.sharedMulti = undefined;
        else node.sharedExact = undefined;
        this.prune(node);
      }
    }
    this.sharedSubscriptions--;
    return true;
  }

  /**
   * Calls `callback(subscriberId, value, filter, context)` for every non-shared subscription
   * whose filter matches `topic` (a subscriber with several overlapping filters is reported
   * once per filter). Pass per-message data as `context` to keep the callback a shared
   * function: nothing is allocated per match.
   */
  forEachMatch<C = undefined>(topic: string, callback: MatchCallback<T, Id, C>, context?: C): void {
    const scratch = this.takeScratch();
    try {
      this.walk(topic, scratch);
      const exactNodes = scratch.exactNodes;
      for (let at = 0; at < scratch.exactCount; at++) {
        const list = (exactNodes[at] as TrieNode<T, Id>).exact;
        if (list !== undefined) emitList(list, callback, context as C);
      }
      const multiNodes = scratch.multiNodes;
      for (let at = 0; at < scratch.multiCount; at++) {
        const list = (multiNodes[at] as TrieNode<T, Id>).multi;
        if (list !== undefined) emitList(list, callback, context as C);
      }
    } finally {
      this.releaseScratch(scratch);
    }
  }

  /**
   * Like `forEachMatch`, but reports each subscriber once, with the value (and filter) of its
   * matching subscription of highest `qosOf(value)` (the earliest found on a tie). This is the
   * "one copy per client at the maximum QoS" policy of MQTT 5.0 section 3.3.4; `forEachMatch`
   * gives the "one copy per subscription" policy.
   */
  forEachSubscriber<C = undefined>(
    topic: string,
    qosOf: (value: T) => number,
    callback: MatchCallback<T, Id, C>,
    context?: C,
  ): void {
    const scratch = this.takeScratch();
    try {
      this.walk(topic, scratch);
      const exactNodes = scratch.exactNodes;
      for (let at = 0; at < scratch.exactCount; at++) {
        const list = (exactNodes[at] as TrieNode<T, Id>).exact;
        if (list !== undefined) keepBest(scratch, list, qosOf);
      }
      const multiNodes = scratch.multiNodes;
      for (let at = 0; at < scratch.multiCount; at++) {
        const list = (multiNodes[at] as TrieNode<T, Id>).multi;
        if (list !== undefined) keepBest(scratch, list, qosOf);
      }
      for (let at = 0; at < scratch.bestCount; at++) {
        callback(
          scratch.bestIds[at] as Id,
          scratch.bestValues[at] as T,
          scratch.bestFilters[at] as string,
          context as C,
        );
      }
    } finally {
      this.releaseScratch(scratch);
    }
  }

  /**
   * Calls `callback(group, context)` once for every shared subscription group whose filter
   * matches `topic`. The broker picks one member per group, e.g. `group.nextIndex()`.
   */
  forEachSharedGroup<C = undefined>(
    topic: string,
    callback: SharedGroupCallback<T, Id, C>,
    context?: C,
  ): void {
    const scratch = this.takeScratch();
    try {
      this.walk(topic, scratch);
      for (let at = 0; at < scratch.exactCount; at++) {
        const groups = (scratch.exactNodes[at] as TrieNode<T, Id>).sharedExact;
        if (groups !== undefined)
          for (const group of groups.values()) callback(group, context as C);
      }
      for (let at = 0; at < scratch.multiCount; at++) {
        const groups = (scratch.multiNodes[at] as TrieNode<T, Id>).sharedMulti;
        if (groups !== undefined)
          for (const group of groups.values()) callback(group, context as C);
      }
    } finally {
      this.releaseScratch(scratch);
    }
  }

  /** Every non-shared subscription matching `topic`, as a new array (convenience; allocates). */
  match(topic: string): Array<SubscriptionMatch<T, Id>> {
    const results: Array<SubscriptionMatch<T, Id>> = [];
    this.forEachMatch(topic, collectMatch, results);
    return results;
  }

  /** Removes every subscription and node. */
  clear(): void {
    const root = this.root;
    root.children = undefined;
    root.plus = undefined;
    root.exact = undefined;
    root.multi = undefined;
    root.sharedExact = undefined;
    root.sharedMulti = undefined;
    this.nodes = 0;
    this.subscriptions = 0;
    this.sharedSubscriptions = 0;
  }

  /**
   * The node for `filter`'s path (its levels without a final "#"), created on the way when
   * `create` is true; undefined when absent. Iterative, by index, without `split`.
   */
  private nodeFor(filter: string, create: boolean): TrieNode<T, Id> | undefined {
    let node = this.root;
    // "a/#" ends at node "a" and "#" at the root (pathEnd -1: no level at all).
    const pathEnd = endsWithHash(filter) ? filter.length - 2 : filter.length;
    if (pathEnd < 0) return node;
    let start = 0;
    for (;;) {
      let end = filter.indexOf("/", start);
      if (end === -1 || end > pathEnd) end = pathEnd;
      const level = filter.slice(start, end);
      let child = level === "+" ? node.plus : node.children?.get(level);
      if (child === undefined) {
        if (!create) return undefined;
        child = new TrieNode<T, Id>(node, level);
        if (level === "+") {
          node.plus = child;
        } else {
          node.children ??= new Map();
          node.children.set(level, child);
        }
        this.nodes++;
      }
      node = child;
      if (end === pathEnd) return node;
      start = end + 1;
    }
  }

  /** Frees `node` and then each ancestor that holds nothing any more. */
  private prune(start: TrieNode<T, Id>): void {
    let node = start;
    let parent = node.parent;
    while (parent !== undefined && node.isEmpty()) {
      if (parent.plus === node) {
        parent.plus = undefined;
      } else if (parent.children !== undefined) {
        parent.children.delete(node.level);
        if (parent.children.size === 0) parent.children = undefined;
      }
      this.nodes--;
      node = parent;
      parent = node.parent;
    }
  }

  /**
   * Records in `scratch` the nodes whose `exact` lists match `topic` (path equals the topic)
   * and whose `multi` lists match (path is a prefix of the topic).
   */
  private walk(topic: string, scratch: MatchScratch<T, Id>): void {
    const levels = scratch.levels;
    let levelCount = 0;
    let start = 0;
    for (;;) {
      const end = topic.indexOf("/", start);
      if (end === -1) {
        levels[levelCount++] = start === 0 ? topic : topic.slice(start);
        break;
      }
      levels[levelCount++] = topic.slice(start, end);
      start = end + 1;
    }
    // [MQTT-4.7.2-1] Filters starting with a wildcard do not match topics starting with "$".
    const dollar = topic.charCodeAt(0) === DOLLAR;
    const stackNodes = scratch.stackNodes;
    const stackDepths = scratch.stackDepths;
    stackNodes[0] = this.root;
    stackDepths[0] = 0;
    let top = 1;
    while (top > 0) {
      top--;
      const node = stackNodes[top] as TrieNode<T, Id>;
      const depth = stackDepths[top] as number;
      stackNodes[top] = undefined;
      const wildcardsAllowed = depth !== 0 || !dollar;
      // "a/#" matches "a" and everything below it [MQTT-4.7.1-2].
      if (wildcardsAllowed && (node.multi !== undefined || node.sharedMulti !== undefined)) {
        scratch.multiNodes[scratch.multiCount++] = node;
      }
      if (depth === levelCount) {
        if (node.exact !== undefined || node.sharedExact !== undefined) {
          scratch.exactNodes[scratch.exactCount++] = node;
        }
        continue;
      }
      const child = node.children?.get(levels[depth] as string);
      if (child !== undefined) {
        stackNodes[top] = child;
        stackDepths[top++] = depth + 1;
      }
      // "+" matches exactly one level, empty levels included [MQTT-4.7.1-3].
      if (node.plus !== undefined && wildcardsAllowed) {
        stackNodes[top] = node.plus;
        stackDepths[top++] = depth + 1;
      }
    }
  }

  private takeScratch(): MatchScratch<T, Id> {
    const scratch = this.idleScratch;
    if (scratch === undefined) return new MatchScratch<T, Id>();
    this.idleScratch = undefined;
    return scratch;
  }

  private releaseScratch(scratch: MatchScratch<T, Id>): void {
    scratch.release();
    this.idleScratch = scratch;
  }
}

function endsWithHash(filter: string): boolean {
  return filter.charCodeAt(filter.length - 1) === HASH;
}

function emitList<T, Id, C>(
  list: SubscriberList<T, Id>,
  callback: MatchCallback<T, Id, C>,
  context: C,
): void {
  const entries = list.entries;
  const filter = list.filter;
  for (let at = 0; at < entries.length; at += 2) {
    callback(entries[at] as Id, entries[at + 1] as T, filter, context);
  }
}

function keepBest<T, Id>(
  scratch: MatchScratch<T, Id>,
  list: SubscriberList<T, Id>,
  qosOf: (value: T) => number,
): void {
  const entries = list.entries;
  for (let at = 0; at < entries.length; at += 2) {
    const subscriberId = entries[at] as Id;
    const value = entries[at + 1] as T;
    const qos = qosOf(value);
    const position = scratch.bestPosition.get(subscriberId);
    if (position === undefined) {
      const next = scratch.bestCount++;
      scratch.bestPosition.set(subscriberId, next);
      scratch.bestIds[next] = subscriberId;
      scratch.bestValues[next] = value;
      scratch.bestFilters[next] = list.filter;
      scratch.bestQos[next] = qos;
    } else if (qos > (scratch.bestQos[position] as number)) {
      scratch.bestValues[position] = value;
      scratch.bestFilters[position] = list.filter;
      scratch.bestQos[position] = qos;
    }
  }
}

function collectMatch<T, Id>(
  subscriberId: Id,
  value: T,
  filter: string,
  results: Array<SubscriptionMatch<T, Id>> | undefined,
): void {
  results?.push({ subscriberId, value, filter });
}
