/**
 * Limits per source address, applied when a connection is accepted, before any byte of it is
 * read: `maxConnectionsPerAddress` open connections and `connectionsPerSecondPerAddress` new
 * ones (a token bucket per address, its burst one second's worth).
 *
 * Design: a refused connection is destroyed at once, without reading its CONNECT: answering
 * CONNACK 3 would mean reading and decoding a packet (and, with a password file, hashing a
 * password) for a peer that is already over its share, which is what these limits are there to
 * avoid. Each refusal is counted in `BrokerStats.limits`. Open connections are counted from
 * admission until the stream's 'close' event, so sockets that never send CONNECT count too.
 * The maps only hold addresses that matter: an address leaves the count map with its last
 * connection, and its bucket is forgotten, once full again, by a sweep that runs when the map
 * has doubled since the last sweep (amortized O(1) per connection, memory bounded by the
 * addresses seen within about a second).
 */
import type { Duplex } from "node:stream";
import { TokenBucket } from "./rate-limit.js";
import type { LimitCounters } from "./types.js";

/** Buckets kept before the first sweep. */
const SWEEP_THRESHOLD = 1024;

export class AddressLimits {
  private readonly open = new Map<string, number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private sweepAtSize = SWEEP_THRESHOLD;

  constructor(
    private readonly maxPerAddress: number,
    private readonly perSecond: number,
    private readonly counters: LimitCounters,
  ) {}

  /** Whether either limit is set (when neither is, the broker skips this class). */
  get active(): boolean {
    return Number.isFinite(this.maxPerAddress) || Number.isFinite(this.perSecond);
  }

  /**
   * Admits `stream` from `address` at `now` (ms), or destroys it and counts why. An admitted
   * stream is counted until it closes.
   *
   * Returns: true when admitted.
   */
  admit(stream: Duplex, address: string, now: number): boolean {
    if (!this.takeToken(address, now)) {
      this.counters.connectionRateExceeded++;
      stream.destroy();
      return false;
    }
    if (!Number.isFinite(this.maxPerAddress)) return true;
    const open = this.open.get(address) ?? 0;
    if (open >= this.maxPerAddress) {
      this.counters.connectionsPerAddressExceeded++;
      stream.destroy();
      return false;
    }
    this.open.set(address, open + 1);
    stream.once("close", () => this.release(address));
    return true;
  }

  /** Open connections from `address` now (tests, diagnostics). */
  openConnections(address: string): number {
    return this.open.get(address) ?? 0;
  }

  private takeToken(address: string, now: number): boolean {
    if (!Number.isFinite(this.perSecond)) return true;
    let bucket = this.buckets.get(address);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAtSize) this.sweep(now);
      bucket = new TokenBucket(this.perSecond, now);
      this.buckets.set(address, bucket);
    }
    return bucket.tryTake(1, now);
  }

  private release(address: string): void {
    const open = (this.open.get(address) ?? 1) - 1;
    if (open > 0) this.open.set(address, open);
    else this.open.delete(address);
  }

  /** Forgets the buckets that are full again (a new one would be the same). */
  private sweep(now: number): void {
    for (const [address, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(address);
    }
    this.sweepAtSize = Math.max(SWEEP_THRESHOLD, this.buckets.size * 2);
  }
}
