import { type SharedGroup, SharedGroupList } from "./shared-group.js";
import { parseSharedSubscription } from "./shared-subscription.js";
import { SubscriberList } from "./subscriber-list.js";
import { TopicError } from "./topic-error.js";
import { TrieNode } from "./trie-node.js";
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
/** Distinct subscribers that `forEachSubscriber` finds by scanning before it uses a `Map`. */
const BEST_SCAN_LIMIT = 16;
/** Scratch arrays longer than this after a match are dropped instead of kept for reuse. */
const SCRATCH_KEEP_LIMIT = 1024;

/**
 * Reusable buffers of one match: where each topic level starts, the explicit DFS stack, the
 * matched nodes and, for the per-subscriber policy, the best subscription of each subscriber.
 */
class MatchScratch<T, Id> {
  levelStarts: number[] = [];
  stackNodes: Array<TrieNode<T, Id> | undefined> = [];
  stackDepths: number[] = [];
  exactNodes: Array<TrieNode<T, Id> | undefined> = [];
  exactCount = 0;
  multiNodes: Array<TrieNode<T, Id> | undefined> = [];
  multiCount = 0;
  /** Position of each subscriber in the best* arrays, filled only past `BEST_SCAN_LIMIT`. */
  bestPosition = new Map<Id, number>();
  bestIds: Array<Id | undefined> = [];
  bestValues: Array<T | undefined> = [];
  bestFilters: string[] = [];
  bestQos: number[] = [];
  bestCount = 0;

  /** Drops references to nodes and values so that nothing removed stays reachable. */
  release(): void {
    const { exactNodes, multiNodes, bestIds, bestValues } = this;
    for (let at = 0; at < this.exactCount; at++) exactNodes[at] = undefined;
    for (let at = 0; at < this.multiCount; at++) multiNodes[at] = undefined;
    if (this.bestCount > 0) {
      for (let at = 0; at < this.bestCount; at++) {
        bestIds[at] = undefined;
        bestValues[at] = undefined;
      }
      // Map#clear allocates a fresh table: only pay for it when the map was used.
      if (this.bestPosition.size > 0) this.bestPosition.clear();
    }
    this.exactCount = 0;
    this.multiCount = 0;
    this.bestCount = 0;
    if (this.levelStarts.length > SCRATCH_KEEP_LIMIT) this.levelStarts = [];
    if (this.stackNodes.length > SCRATCH_KEEP_LIMIT) {
      this.stackNodes = [];
      this.stackDepths = [];
    }
  }
}

/**
 * Subscriptions indexed by filter, matched against topic names.
 *
 * Design: a trie with one node per filter level (see `TrieNode`). Each node holds its literal
 * children (a lone child, a small array, or past 8 a `Map` keyed by level), its `+` child in a
 * separate field, and the subscriber lists of the filters that end there (`exact`) or continue
 * with `#` (`multi`), plus the same two for shared subscription groups. Matching a topic of L
 * levels records where each level starts in a reused array (no `split`), then walks the trie with
 * an explicit stack (no recursion, so any depth is safe), visiting only nodes whose path matches a
 * prefix of the topic: O(L + results) in practice, O(L * 2^W) in the worst case for W `+`
 * levels on the way. Listed children are compared in place (`startsWith` at an offset); only a
 * `Map` lookup slices the level out of the topic. The walk records matched nodes in reused
 * arrays and the public methods report subscriptions through a callback, so a match allocates
 * nothing else (`forEachSubscriber` dedups subscribers by scanning reused arrays, and through a
 * reused `Map` once more than 16 subscribers match).
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
    node.shared ??= { exact: undefined, multi: undefined };
    let groups = multi ? node.shared.multi : node.shared.exact;
    if (groups === undefined) {
      groups = new Map();
      if (multi) node.shared.multi = groups;
      else node.shared.exact = groups;
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
    const shared = node.shared;
    const groups = multi ? shared?.multi : shared?.exact;
    const group = groups?.get(shareName);
    if (shared === undefined || groups === undefined || group === undefined) return false;
    if (!group.delete(subscriberId)) return false;
    if (group.size === 0) {
      groups.delete(shareName);
      if (groups.size === 0) {
        if (multi) shared.multi = undefined;
        else shared.exact = undefined;
        if (shared.exact === undefined && shared.multi === undefined) {
          node.shared = undefined;
          this.prune(node);
        }
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
   * matching subscription of highest `qosOf(value)` (the earliest found on a tie). Both
   * policies satisfy [MQTT-3.3.4-2] (3.1.1: MQTT-3.3.5-1), "deliver the message respecting the
   * maximum QoS of all the matching subscriptions": this one sends one copy per client at that
   * QoS, `forEachMatch` one copy per subscription (which the Server MAY also do).
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
      // One matching filter (the common case, e.g. many clients on one topic) holds each
      // subscriber once already: no de-duplication to pay for.
      const only = onlyMatchingList(scratch);
      if (only !== undefined) {
        emitList(only, callback, context as C);
        return;
      }
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
        const groups = (scratch.exactNodes[at] as TrieNode<T, Id>).shared?.exact;
        if (groups !== undefined) {
          for (const group of groups.values()) callback(group, context as C);
        }
      }
      for (let at = 0; at < scratch.multiCount; at++) {
        const groups = (scratch.multiNodes[at] as TrieNode<T, Id>).shared?.multi;
        if (groups !== undefined) {
          for (const group of groups.values()) callback(group, context as C);
        }
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
    root.shared = undefined;
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
      let child = level === "+" ? node.plus : node.childNamed(level);
      if (child === undefined) {
        if (!create) return undefined;
        child = new TrieNode<T, Id>(node, level);
        if (level === "+") node.plus = child;
        else node.addChild(child);
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
      } else {
        parent.removeChild(node);
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
    // Where each level starts; level `d` ends one before the start of level `d + 1`.
    const levelStarts = scratch.levelStarts;
    levelStarts[0] = 0;
    let levelCount = 1;
    for (let slash = topic.indexOf("/"); slash !== -1; slash = topic.indexOf("/", slash + 1)) {
      levelStarts[levelCount++] = slash + 1;
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
      if (wildcardsAllowed && (node.multi !== undefined || node.shared?.multi !== undefined)) {
        scratch.multiNodes[scratch.multiCount++] = node;
      }
      if (depth === levelCount) {
        if (node.exact !== undefined || node.shared?.exact !== undefined) {
          scratch.exactNodes[scratch.exactCount++] = node;
        }
        continue;
      }
      if (node.children !== undefined) {
        const start = levelStarts[depth] as number;
        const end = depth + 1 < levelCount ? (levelStarts[depth + 1] as number) - 1 : topic.length;
        const child = node.childForRange(topic, start, end);
        if (child !== undefined) {
          stackNodes[top] = child;
          stackDepths[top++] = depth + 1;
        }
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
  const filter = list.filter;
  callback(list.firstId, list.firstValue, filter, context);
  const more = list.more;
  if (more === undefined) return;
  for (let at = 0; at < more.length; at += 2) {
    callback(more[at] as Id, more[at + 1] as T, filter, context);
  }
}

/** The one subscriber list the walk matched, or undefined when it matched none or several. */
function onlyMatchingList<T, Id>(scratch: MatchScratch<T, Id>): SubscriberList<T, Id> | undefined {
  let only: SubscriberList<T, Id> | undefined;
  for (let at = 0; at < scratch.exactCount; at++) {
    const list = (scratch.exactNodes[at] as TrieNode<T, Id>).exact;
    if (list === undefined) continue;
    if (only !== undefined) return undefined;
    only = list;
  }
  for (let at = 0; at < scratch.multiCount; at++) {
    const list = (scratch.multiNodes[at] as TrieNode<T, Id>).multi;
    if (list === undefined) continue;
    if (only !== undefined) return undefined;
    only = list;
  }
  return only;
}

function keepBest<T, Id>(
  scratch: MatchScratch<T, Id>,
  list: SubscriberList<T, Id>,
  qosOf: (value: T) => number,
): void {
  for (let entry = 0; entry < list.size; entry++) {
    const subscriberId = list.idAt(entry);
    const value = list.valueAt(entry);
    const qos = qosOf(value);
    const position = bestPositionOf(scratch, subscriberId);
    if (position === -1) {
      const next = scratch.bestCount++;
      scratch.bestIds[next] = subscriberId;
      scratch.bestValues[next] = value;
      scratch.bestFilters[next] = list.filter;
      scratch.bestQos[next] = qos;
      if (next === BEST_SCAN_LIMIT) {
        for (let seen = 0; seen <= next; seen++) {
          scratch.bestPosition.set(scratch.bestIds[seen] as Id, seen);
        }
      } else if (next > BEST_SCAN_LIMIT) {
        scratch.bestPosition.set(subscriberId, next);
      }
    } else if (qos > (scratch.bestQos[position] as number)) {
      scratch.bestValues[position] = value;
      scratch.bestFilters[position] = list.filter;
      scratch.bestQos[position] = qos;
    }
  }
}

/**
 * Where `subscriberId` sits in the best* arrays, or -1. A few subscribers (the usual case) are
 * found by scanning, which allocates nothing; past `BEST_SCAN_LIMIT` the `Map` takes over.
 */
function bestPositionOf<T, Id>(scratch: MatchScratch<T, Id>, subscriberId: Id): number {
  if (scratch.bestCount > BEST_SCAN_LIMIT) return scratch.bestPosition.get(subscriberId) ?? -1;
  const bestIds = scratch.bestIds;
  for (let at = 0; at < scratch.bestCount; at++) if (bestIds[at] === subscriberId) return at;
  return -1;
}

function collectMatch<T, Id>(
  subscriberId: Id,
  value: T,
  filter: string,
  results: Array<SubscriptionMatch<T, Id>> | undefined,
): void {
  results?.push({ subscriberId, value, filter });
}
