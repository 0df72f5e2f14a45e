/**
 * What the bus needs from the data layer (`RedisClusterData` of this package), as a structural
 * type: the bus depends on these signatures of the cluster contract only, and tests may hand
 * it any object that has them.
 */
import type { Will } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import type { ClusterRoutes, OrphanWill } from "../redis-cluster-data.js";

export interface ClusterData {
  inboxPush(clientId: string, message: SessionMessage): Promise<void>;
  inboxRead(clientId: string, max: number): Promise<SessionMessage[]>;
  inboxTrim(clientId: string, count: number): Promise<void>;
  claimOwner(clientId: string, nodeId: string): Promise<string | undefined>;
  releaseOwner(clientId: string, nodeId: string): Promise<void>;
  addNodeRoute(nodeId: string, filter: string): Promise<void>;
  removeNodeRoute(nodeId: string, filter: string): Promise<void>;
  setWill(nodeId: string, clientId: string, will: Will | null): Promise<void>;
  registerNode(nodeId: string): Promise<void>;
  forgetNode(nodeId: string): Promise<OrphanWill[]>;
  loadRoutes(): Promise<ClusterRoutes>;
  publishAfterWrites(channel: string, message: string): Promise<void>;
}
