/**
 * Names of the Redis keys and pub/sub channels the bus uses itself (the layout is fixed by the
 * cluster contract, shared with the data layer's Lua ops).
 */

/** A node id: letters, digits, `_`, `.` and `-`, 1 to 64 characters. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The keys and channels of one cluster (`prefix`) as seen by one node (`nodeId`). */
export class ClusterKeys {
  /** `P nodes`: set of registered node ids. */
  readonly nodes: string;
  /** `P ev`: route and membership events (JSON). */
  readonly events: string;
  /** `P c:{me}`: this node's control channel (JSON). */
  readonly ownControl: string;
  /** `P m:{me}`: this node's message frames (binary). */
  readonly ownFrames: string;
  /** `P hb:{me}`. */
  readonly ownHeartbeat: string;
  /** `P expiry`: the lock of the one node that deletes expired sessions at a time. */
  readonly expiryLock: string;

  constructor(
    readonly prefix: string,
    readonly nodeId: string,
  ) {
    this.nodes = `${prefix}nodes`;
    this.events = `${prefix}ev`;
    this.ownControl = this.control(nodeId);
    this.ownFrames = this.frames(nodeId);
    this.ownHeartbeat = this.heartbeat(nodeId);
    this.expiryLock = `${prefix}expiry`;
  }

  /** `P hb:{node}`: heartbeat of `node`, a JSON `HeartbeatReport` with a PX expiry. */
  heartbeat(node: string): string {
    return `${this.prefix}hb:${node}`;
  }

  /** `P gone:{node}`: the lock taken by the one node that cleans up after dead `node`. */
  gone(node: string): string {
    return `${this.prefix}gone:${node}`;
  }

  /** `P c:{node}`: control channel of `node`. */
  control(node: string): string {
    return `${this.prefix}c:${node}`;
  }

  /** `P m:{node}`: frame channel of `node`. */
  frames(node: string): string {
    return `${this.prefix}m:${node}`;
  }
}
