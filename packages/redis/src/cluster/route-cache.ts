/**
 * This node's copy of the cluster's route tables, matched on every forwarded PUBLISH.
 *
 * Design: two subscription trees. `nodeRoutes` holds the filters of clean sessions keyed by
 * node id (`P r:n:*`); `persistentRoutes` holds the stored subscriptions of persistent
 * sessions keyed by client id, with the granted QoS as value (`P r:p:*`). Both are loaded
 * from Redis and then kept current from the `P ev` events. A load races with the events:
 * the bus subscribes to `P ev` first, calls `beginLoad` (events are buffered from then on),
 * reads the tables, and `finishLoad` replaces the trees with what was read and applies the
 * buffered events in order. Every event states a final value (a client's complete list, a
 * route present or absent, a node gone), so an event already reflected in the read changes
 * nothing when applied again, and the trees end where Redis is.
 *
 * State:
 *   live --beginLoad--> loading --finishLoad/abortLoad--> live
 * In `loading`, `apply` buffers; `abortLoad` (the read failed) applies the buffer to the old
 * trees, to be replaced by the next load.
 *
 * To replace a client's list or drop a node's routes, the cache remembers each client's
 * subscriptions and each node's filters (the trees keep no reverse index).
 */
import type { QoS } from "@ternmq/codec";
import { SubscriptionTree } from "@ternmq/topics";
import type { ClusterRoutes } from "../redis-cluster-data.js";
import type { RouteEvent } from "./cluster-messages.js";

type Subscriptions = ReadonlyArray<readonly [string, QoS]>;

export type RouteCacheState = "live" | "loading";

export class RouteCache {
  /** Clean-session filters by node id (the value is unused). */
  nodeRoutes = new SubscriptionTree<0, string>();
  /** Persistent-session subscriptions by client id, with their granted QoS. */
  persistentRoutes = new SubscriptionTree<QoS, string>();
  private state: RouteCacheState = "live";
  private buffered: RouteEvent[] = [];
  private filtersByNode = new Map<string, Set<string>>();
  private subscriptionsByClient = new Map<string, Subscriptions>();

  /**
   * @param onInvalidFilter told about a stored filter the trees refuse (it is skipped).
   * @param onSync told when a barrier of another node is applied (in order with the changes).
   */
  constructor(
    private readonly onInvalidFilter: (filter: string, error: unknown) => void,
    private readonly onSync: (origin: string, id: number) => void,
  ) {}

  get currentState(): RouteCacheState {
    return this.state;
  }

  /** Applies `event` now, or after the load in progress. */
  apply(event: RouteEvent): void {
    if (this.state === "loading") this.buffered.push(event);
    else this.applyNow(event);
  }

  /** Starts buffering events: the bus is about to read the tables. */
  beginLoad(): void {
    this.state = "loading";
  }

  /** Replaces the tables with `stored`, then applies the events buffered since `beginLoad`. */
  finishLoad(stored: ClusterRoutes): void {
    this.nodeRoutes = new SubscriptionTree<0, string>();
    this.persistentRoutes = new SubscriptionTree<QoS, string>();
    this.filtersByNode = new Map();
    this.subscriptionsByClient = new Map();
    for (const [nodeId, filters] of stored.nodeRoutes) {
      for (const filter of filters) this.addNodeRoute(nodeId, filter);
    }
    for (const [clientId, subscriptions] of stored.persistentRoutes) {
      this.setSubscriptions(clientId, subscriptions);
    }
    this.drainBuffer();
  }

  /** The read failed: applies the buffered events to the tables held so far. */
  abortLoad(): void {
    this.drainBuffer();
  }

  /** Filters of clean sessions on `nodeId` in the cache. */
  nodeFilters(nodeId: string): ReadonlySet<string> {
    return this.filtersByNode.get(nodeId) ?? new Set();
  }

  /** Persistent subscriptions of `clientId` in the cache. */
  clientSubscriptions(clientId: string): Subscriptions {
    return this.subscriptionsByClient.get(clientId) ?? [];
  }

  private drainBuffer(): void {
    this.state = "live";
    const events = this.buffered;
    this.buffered = [];
    for (const event of events) this.applyNow(event);
  }

  private applyNow(event: RouteEvent): void {
    switch (event.t) {
      case "p":
        this.setSubscriptions(event.c, event.s);
        break;
      case "n":
        if (event.a === 1) this.addNodeRoute(event.n, event.f);
        else this.removeNodeRoute(event.n, event.f);
        break;
      case "gone":
        this.removeNode(event.n);
        break;
      case "sync":
        this.onSync(event.n, event.id);
        break;
    }
  }

  private addNodeRoute(nodeId: string, filter: string): void {
    try {
      this.nodeRoutes.add(filter, nodeId, 0);
    } catch (error) {
      this.onInvalidFilter(filter, error);
      return;
    }
    let filters = this.filtersByNode.get(nodeId);
    if (filters === undefined) {
      filters = new Set();
      this.filtersByNode.set(nodeId, filters);
    }
    filters.add(filter);
  }

  private removeNodeRoute(nodeId: string, filter: string): void {
    this.nodeRoutes.remove(filter, nodeId);
    const filters = this.filtersByNode.get(nodeId);
    if (filters === undefined) return;
    filters.delete(filter);
    if (filters.size === 0) this.filtersByNode.delete(nodeId);
  }

  private removeNode(nodeId: string): void {
    const filters = this.filtersByNode.get(nodeId);
    if (filters === undefined) return;
    for (const filter of filters) this.nodeRoutes.remove(filter, nodeId);
    this.filtersByNode.delete(nodeId);
  }

  private setSubscriptions(clientId: string, subscriptions: Subscriptions): void {
    const previous = this.subscriptionsByClient.get(clientId);
    if (previous !== undefined) {
      for (const [filter] of previous) this.persistentRoutes.remove(filter, clientId);
    }
    const kept: Array<readonly [string, QoS]> = [];
    for (const subscription of subscriptions) {
      try {
        this.persistentRoutes.add(subscription[0], clientId, subscription[1]);
        kept.push(subscription);
      } catch (error) {
        this.onInvalidFilter(subscription[0], error);
      }
    }
    if (kept.length === 0) this.subscriptionsByClient.delete(clientId);
    else this.subscriptionsByClient.set(clientId, kept);
  }
}
