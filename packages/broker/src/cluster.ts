/**
 * The seam between one broker node and the cluster it belongs to. The broker knows nothing of
 * Redis: `@ternmq/redis` implements `ClusterBus`, and the broker implements `ClusterNode` for
 * it (see cluster-link.ts).
 *
 * Design: who holds a message, by session kind.
 * - A clean session lives and dies with its connection, on one node. Each node announces the
 *   filters its clean sessions subscribe to (`addCleanRoute`, reference-counted by the bus);
 *   a PUBLISH crosses, batched per event-loop turn, only to the nodes whose filters match
 *   (`forward`), and the receiving node hands it to its clean sessions only
 *   (`ClusterNode.deliverFromPeer`).
 * - A persistent session is stored in the shared store: its record, and the persistent route
 *   table derived from the record's subscriptions. At most one node owns it (holds its engine)
 *   at a time, and only while a client is connected to it; offline, nobody does. A message for
 *   a persistent session that no local engine holds is appended to that session's inbox in
 *   the store, in the same atomic write as the rest of the publishing turn, so a PUBACK that
 *   follows that write never acknowledges a message only one node's memory holds. The owner
 *   moves inbox messages into its engine and removes them from the inbox in one atomic write
 *   with the engine's journal (`readInbox`, then `trimInbox` in the same turn), so a message
 *   is neither lost nor delivered twice when a node dies between the two.
 * - Ownership moves by `claim`: the claiming node waits until the previous owner has closed
 *   the client's connection there and its writes are stored (`ClusterNode.releaseSession`),
 *   or until the previous owner is known dead (its heartbeat expired).
 *
 * Every write method returns the Promise of a store write that the broker tracks with its
 * write-ahead gate; writes called in one event-loop turn commit atomically together with the
 * session and retained store writes of that turn (one Redis transaction).
 */
import type { Will } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import type { BrokerMessage } from "./types.js";

/** What the bus needs from the broker node it serves. */
export interface ClusterNode {
  /** Whether this node holds the engine of `clientId`'s session now. */
  hasSession(clientId: string): boolean;
  /** A message published on another node, for this node's clean sessions only. */
  deliverFromPeer(message: BrokerMessage): void;
  /**
   * Another node takes `clientId`: close its connection here (reason "takeover", its will is
   * published here), wait until this node's writes for it are stored, forget the session.
   * Resolves when done, also when the session is not here.
   */
  releaseSession(clientId: string): Promise<void>;
  /** Messages wait in the inbox of `clientId`, whose session this node may hold. */
  inboxChanged(clientId: string): void;
  /** The will of a client whose node died (found by the node cleaning up after it). */
  publishOrphanWill(clientId: string, will: Will): void;
  /**
   * The owner record of `clientId` names another node now (found when Redis came back after
   * an outage): close the local connection without its will and forget the session.
   */
  sessionLost(clientId: string): void;
  /** Clients connected to this node now (reported in the heartbeat). */
  localClientCount(): number;
  /** Every client id whose session this node holds (re-claimed after a Redis outage). */
  heldClientIds(): Iterable<string>;
  /** Redis became reachable (true) or unreachable (false). */
  availabilityChanged(available: boolean): void;
}

/** Counters of the cluster as this node sees it (published under `$SYS/broker/cluster/`). */
export interface ClusterStats {
  /** Live nodes, this one included (heartbeats present). */
  nodes: number;
  /** Messages this node sent to other nodes (one per message and destination node). */
  messagesForwarded: number;
  /** Messages this node received from other nodes. */
  messagesReceived: number;
  /** Messages this node appended to inboxes of persistent sessions it does not hold. */
  inboxAppended: number;
  /** Clients connected across the cluster (each node's last heartbeat report). */
  clientsConnected: number;
}

/** One broker node's membership in a cluster. */
export interface ClusterBus {
  /** This node's id, unique in the cluster. */
  readonly nodeId: string;
  /** Whether the shared store is reachable now. */
  readonly available: boolean;
  /** Joins the cluster: registers the node, loads the route tables, starts the heartbeat. */
  start(node: ClusterNode): Promise<void>;
  /** Leaves gracefully: removes this node's routes and membership, then disconnects. */
  close(): Promise<void>;
  /**
   * Sends `message` (published on this node) to the rest of the cluster: to the inbox of
   * every matching persistent session that `node.hasSession` denies, at min(publish QoS,
   * granted QoS), and to every other node with a matching clean route. Returns the inbox
   * write to track, or undefined when there was none.
   */
  forward(message: BrokerMessage): Promise<void> | undefined;
  /** A local clean session subscribed to `filter` (reference-counted). */
  addCleanRoute(filter: string): void;
  /** A local clean session's subscription to `filter` ended (reference-counted). */
  removeCleanRoute(filter: string): void;
  /**
   * Resolves once every other live node has applied the route changes made before the call
   * (clean routes, and the stored subscriptions of persistent sessions): the SUBACK waits for
   * it, so a PUBLISH on any node after the SUBACK sees the new subscription. Never rejects;
   * bounded by the node expiry.
   */
  syncRoutes(): Promise<void>;
  /**
   * Makes this node the owner of `clientId`'s session (see the module comment). Rejects with
   * a `ClusterError` (`MQTT_ERR_CLUSTER_UNAVAILABLE`, `MQTT_ERR_CLUSTER_TAKEOVER_TIMEOUT`).
   */
  claim(clientId: string): Promise<void>;
  /** This node no longer holds `clientId`'s session (its client disconnected). */
  release(clientId: string): Promise<void>;
  /**
   * Appends `message` to `clientId`'s inbox (a local message for a session this node holds
   * whose inbox is not drained yet: it must not overtake the older messages there).
   */
  appendToInbox(clientId: string, message: SessionMessage): Promise<void>;
  /** The oldest `max` messages of `clientId`'s inbox (after every write called before). */
  readInbox(clientId: string, max: number): Promise<SessionMessage[]>;
  /** Removes the oldest `count` messages of `clientId`'s inbox. */
  trimInbox(clientId: string, count: number): Promise<void>;
  /**
   * Deletes the stored sessions whose client disconnected at least `maxAgeMs` before `now`
   * and that no live node holds (`maxSessionAgeSeconds`; one node sweeps at a time). Returns
   * how many were deleted.
   */
  expireSessions(maxAgeMs: number, now: number): Promise<number>;
  /** Records (or with null clears) the will of `clientId`'s connection on this node. */
  setWill(clientId: string, will: Will | null): Promise<void>;
  stats(): ClusterStats;
}
