/**
 * `ClusterBus` over Redis: one broker node's membership in a cluster of nodes sharing one
 * Redis (see `ClusterBus` in @ternmq/broker for what crosses between nodes and why).
 *
 * Design: two connections. The command connection (shared with the stores) carries the data
 * layer's batched writes, the heartbeat and the PUBLISHes of frames and control messages;
 * the subscriber connection listens to `P ev` (route and membership events), `P c:{me}`
 * (control: inbox, takeover, released) and `P m:{me}` (message frames). The modules beside
 * this one each do one job: `RouteCache` (the route trees), `LocalRoutes` (reference counts
 * of this node's clean filters), `Forwarder` + `FrameOutbox` (the hot path), `Membership`
 * (heartbeat, liveness, cleanup after the dead), `TakeoverWaits` (claims waiting for a
 * release).
 *
 * Lifecycle (`state`):
 *   new --start--> starting --(joined)--> running --close--> closing --> closed
 *   starting --(failed)--> new;  any --abandon--> closed (no goodbye, like a crash)
 *
 * Availability follows the command connection ("ready" = up, "close" = down), and every
 * change is reported to the node. While down: claims are refused, frames are dropped
 * (counted, logged once per outage), inbox pushes and other writes wait in ioredis' offline
 * queue, and no node is judged dead. When both connections are up again, the bus rejoins
 * (`resync`): subscribes, registers, beats, rewrites its clean routes (a Redis restarted
 * without persistence has lost them), re-claims the sessions the node holds (losing those
 * that another live node owns now), and reloads the route caches. Rejoins are serialized;
 * one requested while another runs is run once more after it. A node that finds itself
 * forgotten (a `gone` event with its id, or absent from `P nodes`) rejoins the same way.
 */

import type { BrokerMessage, ClusterBus, ClusterNode, ClusterStats } from "@ternmq/broker";
import type { QoS, Will } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import type { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { DEFAULT_KEY_PREFIX } from "../keys.js";
import type { ClusterData } from "./cluster-data.js";
import { ClusterError } from "./cluster-error.js";
import { ClusterKeys, NODE_ID_PATTERN } from "./cluster-keys.js";
import {
  type ControlMessage,
  formatControlMessage,
  parseControlMessage,
  parseRouteEvent,
  type RouteEvent,
} from "./cluster-messages.js";
import { Forwarder } from "./forwarder.js";
import { FrameOutbox } from "./frame-outbox.js";
import { LocalRoutes } from "./local-routes.js";
import { Membership } from "./membership.js";
import { decodeFrame, type FramedMessage } from "./message-frame.js";
import { RouteBarriers } from "./route-barriers.js";
import { RouteCache } from "./route-cache.js";
import { type ExpirableSessions, SessionExpiry } from "./session-expiry.js";
import { TakeoverWaits } from "./takeover-waits.js";

/** Timing of a cluster node; every node of a cluster should use the same values. */
export interface ClusterTimingOptions {
  /** Heartbeat and liveness-check period; default 1000 ms. */
  heartbeatMs?: number;
  /** Lifetime of a heartbeat: a node silent for longer is dead. Default 3000 ms. */
  nodeTtlMs?: number;
  /** How long a claim waits for the previous owner to release a session; default 5000 ms. */
  takeoverTimeoutMs?: number;
  /** How long `start` waits for Redis to be reachable; default 10000 ms. */
  startTimeoutMs?: number;
}

export interface RedisClusterBusOptions extends ClusterTimingOptions {
  /** The command connection (shared with the stores). */
  redis: Redis;
  /** A connection for pub/sub only, with `autoResubscribe: false` (the bus subscribes). */
  subscriber: Redis;
  /** The cluster operations of the data layer (`RedisClusterData`). */
  data: ClusterData;
  /** This node's id: 1 to 64 of `A-Z a-z 0-9 _ . -`, unique among live nodes. */
  nodeId: string;
  /** Prefix of every key and channel; default "ternmq:". Same as the stores'. */
  keyPrefix?: string;
  logger?: Logger;
  /** Called last by `close()`, to close the command connection (the data layer's part). */
  onClosed?: () => Promise<void>;
  /** The session store, for `expireSessions` (without it, nothing expires). */
  sessions?: ExpirableSessions;
}

export type RedisClusterBusState = "new" | "starting" | "running" | "closing" | "closed";
type ConnectionState = "up" | "down";
type ResyncState = "idle" | "running" | "rerun";

/** The longest one node may hold the expiry lock (a sweeper that died frees it by then). */
const EXPIRY_LOCK_MS = 10 * 60_000;

/** Throws `MQTT_ERR_CLUSTER_NODE_ID` unless `nodeId` is a valid node id. */
export function assertNodeId(nodeId: string): void {
  if (!NODE_ID_PATTERN.test(nodeId)) {
    throw new ClusterError(
      "MQTT_ERR_CLUSTER_NODE_ID",
      `invalid cluster node id ${JSON.stringify(nodeId)}: use 1 to 64 of A-Z a-z 0-9 _ . -`,
      { nodeId },
    );
  }
}

export class RedisClusterBus implements ClusterBus {
  readonly nodeId: string;
  private busState: RedisClusterBusState = "new";
  private connection: ConnectionState = "down";
  private resyncState: ResyncState = "idle";
  private node: ClusterNode | undefined;
  private forwarder: Forwarder | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tickRunning: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private messagesReceived = 0;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly data: ClusterData;
  private readonly keys: ClusterKeys;
  private readonly framesChannel: Buffer;
  private readonly heartbeatMs: number;
  private readonly nodeTtlMs: number;
  private readonly takeoverTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly logger: Logger;
  private readonly onClosed: (() => Promise<void>) | undefined;
  private readonly routes: RouteCache;
  private readonly localRoutes = new LocalRoutes();
  private readonly outbox: FrameOutbox;
  private readonly waits = new TakeoverWaits();
  private readonly barriers: RouteBarriers;
  private readonly expiry: SessionExpiry | undefined;
  private readonly membership: Membership;

  /** Throws `MQTT_ERR_CLUSTER_NODE_ID` for an invalid id, RangeError for invalid timings. */
  constructor(options: RedisClusterBusOptions) {
    assertNodeId(options.nodeId);
    this.nodeId = options.nodeId;
    this.redis = options.redis;
    this.subscriber = options.subscriber;
    this.data = options.data;
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.nodeTtlMs = options.nodeTtlMs ?? 3000;
    this.takeoverTimeoutMs = options.takeoverTimeoutMs ?? 5000;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    if (!(this.heartbeatMs > 0 && this.nodeTtlMs > this.heartbeatMs)) {
      throw new RangeError("cluster timing: need 0 < heartbeatMs < nodeTtlMs");
    }
    if (!(this.takeoverTimeoutMs > 0 && this.startTimeoutMs > 0)) {
      throw new RangeError("cluster timing: takeoverTimeoutMs and startTimeoutMs must be > 0");
    }
    this.logger = options.logger ?? pino({ level: "silent" });
    this.onClosed = options.onClosed;
    this.keys = new ClusterKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX, this.nodeId);
    this.framesChannel = Buffer.from(this.keys.ownFrames);
    this.subscriber.on("error", this.onSubscriberError);
    this.routes = new RouteCache(
      (filter, error) =>
        this.logger.warn({ filter, err: error }, "cluster: stored route filter skipped"),
      (origin, id) => {
        if (origin === this.nodeId) return;
        this.publishControl(origin, { t: "synced", c: this.nodeId, id }).catch(ignore);
      },
    );
    this.barriers = new RouteBarriers(this.nodeTtlMs);
    this.expiry =
      options.sessions === undefined
        ? undefined
        : new SessionExpiry(
            this.redis,
            this.keys,
            this.data,
            options.sessions,
            (nodeId) => this.membership.isLive(nodeId),
            EXPIRY_LOCK_MS,
          );
    this.outbox = new FrameOutbox(
      this.redis,
      (nodeId) => this.keys.frames(nodeId),
      () => this.connection === "up",
      (messages) =>
        this.logger.warn(
          { messages },
          "cluster: Redis unavailable, messages for other nodes' clean sessions are dropped",
        ),
      (error) => this.logger.debug({ err: error }, "cluster: frame PUBLISH failed"),
    );
    this.membership = new Membership(this.redis, this.data, this.keys, this.nodeTtlMs, {
      clientCount: () => this.node?.localClientCount() ?? 0,
      onForgotten: () => this.rejoinIfRunning("absent from the node set"),
      publishOrphanWill: (clientId, will) => this.node?.publishOrphanWill(clientId, will),
      onCleanedUp: (nodeId, wills) =>
        this.logger.warn({ node: nodeId, wills }, "cluster: cleaned up after a dead node"),
    });
  }

  get state(): RedisClusterBusState {
    return this.busState;
  }

  get available(): boolean {
    return this.connection === "up";
  }

  /** Messages for other nodes dropped because Redis was unreachable (not in ClusterStats). */
  get messagesDropped(): number {
    return this.outbox.dropped;
  }

  /** Frames (Redis PUBLISHes of messages) sent to other nodes. */
  get framesSent(): number {
    return this.outbox.framesSent;
  }

  /** The clean-session filters of node `nodeId` as this node's route cache holds them. */
  cachedNodeRoutes(nodeId: string): ReadonlySet<string> {
    return this.routes.nodeFilters(nodeId);
  }

  /** The persistent subscriptions of `clientId` as this node's route cache holds them. */
  cachedPersistentRoutes(clientId: string): ReadonlyArray<readonly [string, QoS]> {
    return this.routes.clientSubscriptions(clientId);
  }

  /**
   * Joins the cluster (see `ClusterBus.start`). Rejects with `MQTT_ERR_CLUSTER_NODE_ID` when
   * a live node uses this id (wait `nodeTtlMs` after a crash before reusing it), and with
   * `MQTT_ERR_CLUSTER_UNAVAILABLE` when Redis is not reachable within `startTimeoutMs`.
   */
  async start(node: ClusterNode): Promise<void> {
    if (this.busState !== "new") {
      throw new Error(`RedisClusterBus.start() in state ${this.busState}`);
    }
    this.busState = "starting";
    this.node = node;
    this.forwarder = new Forwarder(this.nodeId, node, this.data, this.routes, this.outbox);
    this.redis.on("ready", this.onCommandReady);
    this.redis.on("close", this.onCommandClose);
    this.subscriber.on("ready", this.onSubscriberReady);
    this.subscriber.on("messageBuffer", this.onSubscriberMessage);
    let idClaimed = false;
    try {
      await this.waitForConnections();
      this.connection = "up";
      this.membership.connected(Date.now());
      idClaimed = await this.membership.claimOwnId();
      if (!idClaimed) {
        throw new ClusterError(
          "MQTT_ERR_CLUSTER_NODE_ID",
          `cluster node id ${this.nodeId} is in use by a live node`,
          { nodeId: this.nodeId },
        );
      }
      // Still a member without a heartbeat: this id's previous life crashed unnoticed.
      if ((await this.redis.sismember(this.keys.nodes, this.nodeId)) === 1) {
        await this.membership.cleanUp(this.nodeId);
      }
      if (!(await this.resync())) {
        throw new ClusterError("MQTT_ERR_CLUSTER_UNAVAILABLE", "Redis connection lost at start", {
          nodeId: this.nodeId,
        });
      }
      await this.membership.check(Date.now());
    } catch (error) {
      // Free the id at once, so that a retry is not refused for `nodeTtlMs`.
      if (idClaimed && this.connection === "up") this.membership.stopBeating().catch(ignore);
      this.detach();
      this.busState = "new";
      this.connection = "down";
      throw error;
    }
    this.busState = "running";
    this.timer = setInterval(this.tick, this.heartbeatMs);
    this.timer.unref();
  }

  forward(message: BrokerMessage): Promise<void> | undefined {
    return this.forwarder?.forward(message);
  }

  addCleanRoute(filter: string): void {
    if (this.localRoutes.add(filter)) {
      this.data.addNodeRoute(this.nodeId, filter).catch(this.onRouteWriteError);
    }
  }

  removeCleanRoute(filter: string): void {
    if (this.localRoutes.remove(filter)) {
      this.data.removeNodeRoute(this.nodeId, filter).catch(this.onRouteWriteError);
    }
  }

  async claim(clientId: string): Promise<void> {
    if (this.connection !== "up") {
      throw new ClusterError(
        "MQTT_ERR_CLUSTER_UNAVAILABLE",
        `cannot claim session ${clientId}: Redis is unavailable`,
        { clientId },
      );
    }
    const previous = await this.data.claimOwner(clientId, this.nodeId);
    if (previous === undefined || previous === this.nodeId) return;
    if (!(await this.membership.isLive(previous))) return;
    const id = this.waits.nextId();
    const answered = this.waits.wait(id, previous, this.takeoverTimeoutMs);
    await this.publishControl(previous, { t: "takeover", c: clientId, from: this.nodeId, id });
    const outcome = await answered;
    if (outcome === "released" || outcome === "gone") return;
    if (outcome === "timeout" && !(await this.membership.isLive(previous))) return;
    // The previous owner still holds the session: give the owner record back to it, so that
    // its release and a later claim find the truth.
    await this.data.claimOwner(clientId, previous);
    if (outcome === "closed") {
      throw new ClusterError("MQTT_ERR_CLUSTER_UNAVAILABLE", "cluster bus closed", { clientId });
    }
    throw new ClusterError(
      "MQTT_ERR_CLUSTER_TAKEOVER_TIMEOUT",
      `node ${previous} did not release session ${clientId} within ${this.takeoverTimeoutMs} ms`,
      { clientId, nodeId: previous },
    );
  }

  release(clientId: string): Promise<void> {
    return this.data.releaseOwner(clientId, this.nodeId);
  }

  syncRoutes(): Promise<void> {
    const others = this.membership.liveNodes.filter((nodeId) => nodeId !== this.nodeId);
    if (this.connection !== "up" || others.length === 0) return Promise.resolve();
    const { id, done } = this.barriers.begin(others);
    const barrier = JSON.stringify({ t: "sync", n: this.nodeId, id });
    this.data.publishAfterWrites(this.keys.events, barrier).catch(() => this.barriers.finish(id));
    return done;
  }

  async expireSessions(maxAgeMs: number, now: number): Promise<number> {
    if (this.expiry === undefined || this.connection !== "up") return 0;
    return this.expiry.sweep(maxAgeMs, now);
  }

  appendToInbox(clientId: string, message: SessionMessage): Promise<void> {
    return this.data.inboxPush(clientId, message);
  }

  readInbox(clientId: string, max: number): Promise<SessionMessage[]> {
    return this.data.inboxRead(clientId, max);
  }

  trimInbox(clientId: string, count: number): Promise<void> {
    return this.data.inboxTrim(clientId, count);
  }

  setWill(clientId: string, will: Will | null): Promise<void> {
    return this.data.setWill(this.nodeId, clientId, will);
  }

  stats(): ClusterStats {
    return {
      nodes: this.membership.nodes,
      messagesForwarded: this.forwarder?.messagesForwarded ?? 0,
      messagesReceived: this.messagesReceived,
      inboxAppended: this.forwarder?.inboxAppended ?? 0,
      clientsConnected: this.membership.clientsConnected,
    };
  }

  /**
   * Leaves the cluster: sends pending frames, removes this node's routes, owner entries, wills
   * and membership (`forgetNode`) and its heartbeat, then closes both connections. When Redis
   * is unreachable it leaves nothing behind that the others do not clean up after
   * `nodeTtlMs`. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  /**
   * Stops the timers and drops both connections without telling anyone, as a crash
   * (`kill -9`) would: the other nodes find the heartbeat expired and clean up. For failover
   * tests run in one process; a bus abandoned cannot be started again.
   */
  abandon(): void {
    this.busState = "closed";
    this.stopTimer();
    this.detach();
    this.waits.closeAll();
    this.barriers.finish();
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private async leave(): Promise<void> {
    const wasRunning = this.busState === "running";
    this.busState = "closing";
    this.stopTimer();
    this.waits.closeAll();
    this.barriers.finish();
    if (wasRunning && this.connection === "up") {
      this.outbox.flush();
      try {
        await this.boundedByTimeout(
          Promise.all([this.data.forgetNode(this.nodeId), this.membership.stopBeating()]),
        );
      } catch (error) {
        this.logger.warn({ err: error }, "cluster: leaving the cluster failed");
      }
    }
    this.detach();
    this.busState = "closed";
    // Nothing to flush on the subscriber (QUIT could wait in its offline queue during an
    // outage).
    this.subscriber.disconnect();
    await this.onClosed?.();
  }

  /** The Redis commands of a graceful leave, bounded so a dying Redis cannot hang close(). */
  private boundedByTimeout<T>(work: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.takeoverTimeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private detach(): void {
    this.redis.off("ready", this.onCommandReady);
    this.redis.off("close", this.onCommandClose);
    this.subscriber.off("ready", this.onSubscriberReady);
    this.subscriber.off("messageBuffer", this.onSubscriberMessage);
    // The error listener (set in the constructor) stays: a closing connection reports too.
  }

  /** Resolves when both connections are ready; rejects after `startTimeoutMs`. */
  private async waitForConnections(): Promise<void> {
    for (const connection of [this.redis, this.subscriber]) {
      if (connection.status === "wait") await connection.connect();
    }
    const deadline = Date.now() + this.startTimeoutMs;
    for (const connection of [this.redis, this.subscriber]) {
      if (connection.status === "ready") continue;
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
        const onReady = (): void => done(true);
        function done(value: boolean): void {
          clearTimeout(timer);
          connection.off("ready", onReady);
          resolve(value);
        }
        connection.on("ready", onReady);
      });
      if (!ready) {
        throw new ClusterError(
          "MQTT_ERR_CLUSTER_UNAVAILABLE",
          `Redis not reachable within ${this.startTimeoutMs} ms`,
          { nodeId: this.nodeId },
        );
      }
    }
  }

  /** Requests a rejoin; runs it now, or once more after the one running. */
  private requestResync(): void {
    if (this.resyncState !== "idle") {
      this.resyncState = "rerun";
      return;
    }
    this.resyncState = "running";
    void this.runResyncs();
  }

  private async runResyncs(): Promise<void> {
    for (;;) {
      try {
        await this.resync();
      } catch (error) {
        this.logger.warn({ err: error }, "cluster: rejoining after an outage failed");
      }
      if (this.resyncState !== "rerun" || !this.isJoined()) break;
      this.resyncState = "running";
    }
    this.resyncState = "idle";
  }

  private isJoined(): boolean {
    return this.busState === "running" || this.busState === "starting";
  }

  /**
   * Subscribes, registers, beats, rewrites routes, re-claims sessions, reloads the caches.
   * Returns: false when a connection is down (its "ready" will ask again).
   */
  private async resync(): Promise<boolean> {
    if (this.connection !== "up" || this.subscriber.status !== "ready") return false;
    await this.subscriber.subscribe(this.keys.events, this.keys.ownControl, this.keys.ownFrames);
    this.routes.beginLoad();
    try {
      await this.data.registerNode(this.nodeId);
      await this.membership.beat();
      const writes: Array<Promise<void>> = [];
      for (const filter of this.localRoutes.filters()) {
        writes.push(this.data.addNodeRoute(this.nodeId, filter));
      }
      await Promise.all(writes);
      await this.reclaimHeldSessions();
      this.routes.finishLoad(await this.data.loadRoutes());
    } catch (error) {
      this.routes.abortLoad();
      throw error;
    }
    return true;
  }

  /** Re-claims every session the node holds; loses those another live node owns now. */
  private async reclaimHeldSessions(): Promise<void> {
    const node = this.node;
    if (node === undefined) return;
    const clientIds = [...node.heldClientIds()];
    if (clientIds.length === 0) return;
    const previous = await Promise.all(
      clientIds.map((clientId) => this.data.claimOwner(clientId, this.nodeId)),
    );
    for (let index = 0; index < clientIds.length; index++) {
      const clientId = clientIds[index] as string;
      const owner = previous[index];
      if (owner === undefined || owner === this.nodeId) continue;
      if (!(await this.membership.isLive(owner))) continue;
      this.logger.warn({ clientId, owner }, "cluster: session now owned by another node");
      // Hand the record back first: a release by the node that follows finds it settled.
      await this.data.claimOwner(clientId, owner);
      node.sessionLost(clientId);
    }
  }

  private rejoinIfRunning(why: string): void {
    if (this.busState !== "running") return;
    this.logger.warn({ node: this.nodeId, why }, "cluster: this node was forgotten, rejoining");
    this.requestResync();
  }

  private readonly tick = (): void => {
    if (this.tickRunning !== undefined || this.connection !== "up") return;
    this.tickRunning = this.beatAndCheck().finally(() => {
      this.tickRunning = undefined;
    });
  };

  private async beatAndCheck(): Promise<void> {
    try {
      await this.membership.beat();
      if (this.busState === "running") await this.membership.check(Date.now());
    } catch (error) {
      this.logger.debug({ err: error }, "cluster: heartbeat or liveness check failed");
    }
  }

  // While starting, availability only feeds `start` itself: the node hears of changes once
  // the bus runs.
  private readonly onCommandReady = (): void => {
    if (this.connection === "up" || !this.isJoined()) return;
    this.connection = "up";
    this.membership.connected(Date.now());
    this.outbox.outageEnded();
    if (this.busState !== "running") return;
    this.node?.availabilityChanged(true);
    this.requestResync();
  };

  private readonly onCommandClose = (): void => {
    if (this.connection === "down" || !this.isJoined()) return;
    this.connection = "down";
    this.membership.disconnected();
    if (this.busState === "running") this.node?.availabilityChanged(false);
  };

  private readonly onSubscriberReady = (): void => {
    if (this.busState === "running") this.requestResync();
  };

  private readonly onSubscriberError = (error: unknown): void => {
    this.logger.debug({ err: error }, "cluster: subscriber connection error");
  };

  private readonly onRouteWriteError = (error: unknown): void => {
    this.logger.warn({ err: error }, "cluster: node route write failed");
  };

  private readonly onSubscriberMessage = (channel: Buffer, message: Buffer): void => {
    if (channel.equals(this.framesChannel)) {
      const node = this.node;
      if (node === undefined) return;
      const count = decodeFrame(message, deliverFromPeer, node);
      if (count < 0) {
        this.logger.warn({ bytes: message.byteLength }, "cluster: malformed frame dropped");
      } else {
        this.messagesReceived += count;
      }
      return;
    }
    const name = channel.toString("utf8");
    if (name === this.keys.events) {
      const event = parseRouteEvent(message.toString("utf8"));
      if (event !== undefined) this.onRouteEvent(event);
    } else if (name === this.keys.ownControl) {
      const control = parseControlMessage(message.toString("utf8"));
      if (control !== undefined) this.onControl(control);
    }
  };

  private onRouteEvent(event: RouteEvent): void {
    if (event.t === "gone") {
      if (event.n === this.nodeId) {
        this.routes.apply(event);
        this.rejoinIfRunning("gone event");
        return;
      }
      this.waits.nodeGone(event.n);
      this.barriers.nodeGone(event.n);
      this.outbox.forget(event.n);
    }
    this.routes.apply(event);
  }

  private onControl(control: ControlMessage): void {
    switch (control.t) {
      case "inbox":
        this.node?.inboxChanged(control.c);
        break;
      case "released":
        this.waits.released(control.id);
        break;
      case "synced":
        this.barriers.answered(control.id, control.c);
        break;
      case "takeover":
        void this.releaseFor(control.c, control.from, control.id);
        break;
    }
  }

  /** Releases `clientId` here for node `claimer`, then answers `released`. */
  private async releaseFor(clientId: string, claimer: string, id: number): Promise<void> {
    try {
      await this.expiry?.settled(clientId); // deleted whole, or not at all, before the claimer loads
      await this.node?.releaseSession(clientId);
      await this.publishControl(claimer, { t: "released", c: clientId, id });
    } catch (error) {
      this.logger.warn({ err: error, clientId, claimer }, "cluster: releasing a session failed");
    }
  }

  private async publishControl(nodeId: string, message: ControlMessage): Promise<void> {
    await this.redis.publish(this.keys.control(nodeId), formatControlMessage(message));
  }
}

function deliverFromPeer(message: FramedMessage, node: ClusterNode): void {
  node.deliverFromPeer(message);
}

function ignore(): void {}
