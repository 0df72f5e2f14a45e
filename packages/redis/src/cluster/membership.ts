/**
 * Who is in the cluster: this node's heartbeat, the liveness of the others, and the cleanup
 * after a dead node.
 *
 * Design: each node keeps `P hb:{node}` alive (a JSON `HeartbeatReport`, PX `nodeTtlMs`)
 * and is a member of the set `P nodes`. Every `heartbeatMs`, `check` reads the members and
 * their heartbeats. A member whose heartbeat is missing on two checks in a row is dead, but
 * only once this node has itself been connected to Redis for `nodeTtlMs`: after a Redis
 * restart every heartbeat is missing until its node beats again, and a node that was cut off
 * cannot tell a dead peer from its own outage. One node cleans up after the dead one, the
 * one whose `SET P gone:{node} NX PX` succeeds; the cleanup (`forgetNode`) atomically drops
 * its routes, owner entries and wills and returns the wills, which this node publishes.
 * A second cleanup would find no wills left, so a will is published once either way.
 *
 * A node that finds itself missing from `P nodes` was forgotten by the others (it looked
 * dead): `onForgotten` makes the bus register again, as after an outage.
 */
import type { Will } from "@ternmq/codec";
import type { Redis } from "ioredis";
import type { ClusterData } from "./cluster-data.js";
import type { ClusterKeys } from "./cluster-keys.js";

/** What a node's heartbeat key holds. */
export interface HeartbeatReport {
  /** Clients connected to the node when it beat. */
  clientsConnected: number;
  /** When it beat (ms since the epoch). */
  at: number;
}

export interface MembershipHooks {
  /** Clients connected to this node now. */
  clientCount(): number;
  /** This node is not in `P nodes` any more. */
  onForgotten(): void;
  /** The will of a client of a dead node, to publish once. */
  publishOrphanWill(clientId: string, will: Will): void;
  /** A dead node was cleaned up by this node. */
  onCleanedUp(nodeId: string, wills: number): void;
}

/** Consecutive checks a heartbeat must be missing on before its node counts as dead. */
const MISSES_FOR_DEATH = 2;

export class Membership {
  /** Live nodes at the last check, this one included. */
  nodes = 1;
  /** Ids of the nodes whose heartbeat was present at the last check (this one included). */
  liveNodes: readonly string[] = [];
  /** Clients connected across the live nodes at the last check. */
  clientsConnected = 0;
  /** Since when the command connection has been up (ms since the epoch), or undefined. */
  connectedSince: number | undefined;
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly data: ClusterData,
    private readonly keys: ClusterKeys,
    private readonly nodeTtlMs: number,
    private readonly hooks: MembershipHooks,
  ) {}

  /**
   * Sets this node's heartbeat only if no live node uses the id.
   * Returns: false when a heartbeat of the id is live.
   */
  async claimOwnId(): Promise<boolean> {
    const set = await this.redis.set(
      this.keys.ownHeartbeat,
      this.report(),
      "PX",
      this.nodeTtlMs,
      "NX",
    );
    return set === "OK";
  }

  /** Renews this node's heartbeat. */
  async beat(): Promise<void> {
    await this.redis.set(this.keys.ownHeartbeat, this.report(), "PX", this.nodeTtlMs);
  }

  /** Deletes this node's heartbeat (it leaves), so that its id is free at once. */
  async stopBeating(): Promise<void> {
    await this.redis.del(this.keys.ownHeartbeat);
  }

  /** Whether `nodeId`'s heartbeat is live. */
  async isLive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.heartbeat(nodeId))) === 1;
  }

  /** The connection (re)opened: misses counted before it mean nothing. */
  connected(now: number): void {
    this.connectedSince = now;
    this.misses.clear();
  }

  disconnected(): void {
    this.connectedSince = undefined;
  }

  /** Reads the members and their heartbeats; cleans up after the dead (see the module). */
  async check(now: number): Promise<void> {
    const members = await this.redis.smembers(this.keys.nodes);
    const reports =
      members.length === 0
        ? []
        : await this.redis.mget(members.map((member) => this.keys.heartbeat(member)));
    const mayJudge =
      this.connectedSince !== undefined && now - this.connectedSince >= this.nodeTtlMs;
    const self = this.keys.nodeId;
    let nodes = 0;
    let clientsConnected = 0;
    const live: string[] = [];
    let listed = false;
    const dead: string[] = [];
    for (let index = 0; index < members.length; index++) {
      const member = members[index] as string;
      const report = reports[index];
      if (member === self) listed = true;
      if (report !== null && report !== undefined) {
        nodes++;
        live.push(member);
        clientsConnected += clientsOf(report);
        this.misses.delete(member);
        continue;
      }
      if (member === self) continue;
      const misses = (this.misses.get(member) ?? 0) + 1;
      this.misses.set(member, misses);
      if (misses >= MISSES_FOR_DEATH && mayJudge) dead.push(member);
    }
    for (const member of this.misses.keys()) {
      if (!members.includes(member)) this.misses.delete(member);
    }
    this.nodes = nodes;
    this.liveNodes = live;
    this.clientsConnected = clientsConnected;
    if (!listed) this.hooks.onForgotten();
    for (const member of dead) await this.cleanUp(member);
  }

  /**
   * Forgets `nodeId` and publishes the wills of its clients, unless another node holds the
   * cleanup lock of `nodeId`. Also used at start for this node's own previous life (a crash
   * that nobody had cleaned up yet).
   */
  async cleanUp(nodeId: string): Promise<void> {
    const locked = await this.redis.set(
      this.keys.gone(nodeId),
      this.keys.nodeId,
      "PX",
      this.nodeTtlMs,
      "NX",
    );
    if (locked !== "OK") return;
    this.misses.delete(nodeId);
    const wills = await this.data.forgetNode(nodeId);
    this.hooks.onCleanedUp(nodeId, wills.length);
    for (const { clientId, will } of wills) this.hooks.publishOrphanWill(clientId, will);
  }

  private report(): string {
    const report: HeartbeatReport = { clientsConnected: this.hooks.clientCount(), at: Date.now() };
    return JSON.stringify(report);
  }
}

/** `clientsConnected` of a heartbeat report; 0 when it does not parse (another version). */
function clientsOf(report: string): number {
  try {
    const value = (JSON.parse(report) as Partial<HeartbeatReport> | null)?.clientsConnected;
    return typeof value === "number" && Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}
