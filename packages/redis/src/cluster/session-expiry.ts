/**
 * Expiry of stored sessions in a cluster (`maxSessionAgeSeconds`): a session whose client
 * disconnected long enough ago, and that no live node holds, is deleted from the store.
 *
 * Design: one node sweeps at a time (`P expiry`, SET NX PX). For each stored session it reads
 * only the disconnect time (no load). A candidate is claimed first (the owner record names
 * this node), checked again, deleted, and released: a client that connects meanwhile on
 * another node claims it from this node, and this node answers that takeover only after the
 * deletion (`settled`), so the other node loads either the whole session or none, never one
 * deleted under it. A candidate that a live node holds is given back to that node untouched.
 */
import type { Redis } from "ioredis";
import type { ClusterData } from "./cluster-data.js";
import type { ClusterKeys } from "./cluster-keys.js";

/** What expiry needs of the session store (`RedisSessionStore`). */
export interface ExpirableSessions {
  clientIds(): AsyncIterable<string>;
  disconnectedAt(clientId: string): Promise<number | undefined>;
  delete(clientId: string): Promise<void>;
}

export class SessionExpiry {
  /** Client ids being expired now, with the end of their expiry. */
  private readonly inProgress = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly data: ClusterData,
    private readonly sessions: ExpirableSessions,
    private readonly isLive: (nodeId: string) => Promise<boolean>,
    /** How long the sweep lock is held at most (a dead sweeper frees it by expiry). */
    private readonly lockMs: number,
  ) {}

  /**
   * Deletes the stored sessions disconnected at least `maxAgeMs` before `now` that no live
   * node holds. Returns how many; 0 when another node is sweeping.
   */
  async sweep(maxAgeMs: number, now: number): Promise<number> {
    const locked = await this.redis.set(
      this.keys.expiryLock,
      this.keys.nodeId,
      "PX",
      this.lockMs,
      "NX",
    );
    if (locked !== "OK") return 0;
    let deleted = 0;
    try {
      for await (const clientId of this.sessions.clientIds()) {
        if (!this.expired(await this.sessions.disconnectedAt(clientId), maxAgeMs, now)) continue;
        let done: () => void = () => {};
        this.inProgress.set(clientId, new Promise<void>((resolve) => (done = resolve)));
        try {
          if (await this.expire(clientId, maxAgeMs, now)) deleted++;
        } finally {
          this.inProgress.delete(clientId);
          done();
        }
      }
    } finally {
      await this.redis.del(this.keys.expiryLock);
    }
    return deleted;
  }

  /** Resolves once an expiry of `clientId` in progress on this node has ended. */
  settled(clientId: string): Promise<void> | undefined {
    return this.inProgress.get(clientId);
  }

  private expired(disconnectedAt: number | undefined, maxAgeMs: number, now: number): boolean {
    return disconnectedAt !== undefined && now - disconnectedAt >= maxAgeMs;
  }

  /** Claims, checks again, deletes and releases one candidate; true when deleted. */
  private async expire(clientId: string, maxAgeMs: number, now: number): Promise<boolean> {
    const me = this.keys.nodeId;
    const previous = await this.data.claimOwner(clientId, me);
    if (previous === me) return false; // this node holds it (a client is connecting here)
    if (previous !== undefined && (await this.isLive(previous))) {
      await this.data.claimOwner(clientId, previous); // held there: not ours to delete
      return false;
    }
    try {
      if (!this.expired(await this.sessions.disconnectedAt(clientId), maxAgeMs, now)) return false;
      await this.sessions.delete(clientId);
      return true;
    } finally {
      await this.data.releaseOwner(clientId, me);
    }
  }
}
