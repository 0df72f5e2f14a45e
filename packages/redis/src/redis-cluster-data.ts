/**
 * The cluster's data in Redis, as the bus (`src/cluster/`) uses it: inboxes of persistent
 * sessions, session ownership, the node route tables, wills of live connections, node
 * membership. Key and channel names: cluster contract, keys.ts.
 *
 * Design: every write is an op of the shared write batch (batch.ts), so it commits in the
 * same atomic, at-most-once Redis call as the session and retained writes of its event-loop
 * turn, and the events it causes (`P ev`, `P c:{node}`) are published by the same Lua op,
 * after the write. Writes without a result share the batch's promise. Reads send the open
 * batch first, on the same connection, so they see every write called before them. Every
 * failure is a `StoreError` (as for the stores); after `close()` every call rejects with
 * `MQTT_ERR_STORE_CLOSED`.
 */
import type { QoS, Will } from "@ternmq/codec";
import { type SessionMessage, StoreError, willFromJson, willToJson } from "@ternmq/session";
import { badStoredData, storeErrorFrom } from "./errors.js";
import { decodeMessage, encodeMessage } from "./message-codec.js";
import type { StorePart } from "./store-part.js";

/** The route tables, as `loadRoutes` returns them. */
export interface ClusterRoutes {
  /** Node id -> the filters its clean sessions subscribe to (`P r:n:{node}`). */
  nodeRoutes: Map<string, string[]>;
  /** Client id -> its persistent subscriptions as [filter, granted QoS] (`P r:p:{id}`). */
  persistentRoutes: Map<string, Array<[string, QoS]>>;
}

/** A will found by `forgetNode`. */
export interface OrphanWill {
  clientId: string;
  will: Will;
}

/** Client ids read per SSCAN call and route tables read per pipeline by `loadRoutes`. */
const ROUTES_PAGE_SIZE = 500;

export class RedisClusterData {
  /** @internal Made by `openRedisStores`. */
  constructor(private readonly part: StorePart) {}

  /**
   * Appends `message` to the inbox of `clientId` (`P in:{id}`) and, when the session has an
   * owner, publishes `{"t":"inbox","c":clientId}` on the owner's control channel (once per
   * client id per batch).
   */
  inboxPush(clientId: string, message: SessionMessage): Promise<void> {
    return this.write(() => ["IP", clientId, encodeMessage(message)]);
  }

  /** The oldest `max` messages of the inbox of `clientId`, oldest first. */
  async inboxRead(clientId: string, max: number): Promise<SessionMessage[]> {
    if (max <= 0) {
      this.part.assertOpen();
      return [];
    }
    const entries = await this.read(`reading the inbox of "${clientId}"`, (redis, keys) =>
      redis.lrangeBuffer(keys.inbox(clientId), 0, max - 1),
    );
    try {
      return entries.map((bytes) => decodeMessage(bytes));
    } catch (error) {
      throw storeErrorFrom(this.part.connection.where, "reading an inbox", error, clientId);
    }
  }

  /** Removes the oldest `count` messages of the inbox of `clientId`. */
  inboxTrim(clientId: string, count: number): Promise<void> {
    return this.write(() => ["IT", clientId, Math.max(0, Math.floor(count))]);
  }

  /**
   * Makes `nodeId` the owner of `clientId` (`P own`, `P own:{node}`).
   *
   * Returns: the previous owner, undefined when there was none.
   */
  claimOwner(clientId: string, nodeId: string): Promise<string | undefined> {
    try {
      this.part.assertOpen();
      const { batcher } = this.part.connection;
      batcher.begin().push("CO", clientId, nodeId);
      return batcher.result((previous) => (typeof previous === "string" ? previous : undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Removes the ownership of `clientId`, only if `nodeId` holds it. */
  releaseOwner(clientId: string, nodeId: string): Promise<void> {
    return this.write(() => ["RO", clientId, nodeId]);
  }

  /** Adds `filter` to `P r:n:{node}` and publishes `{"t":"n","n":node,"f":filter,"a":1}`. */
  addNodeRoute(nodeId: string, filter: string): Promise<void> {
    return this.write(() => ["NA", nodeId, filter]);
  }

  /** Removes `filter` from `P r:n:{node}` and publishes the `ev` "n" event with `"a":0`. */
  removeNodeRoute(nodeId: string, filter: string): Promise<void> {
    return this.write(() => ["NR", nodeId, filter]);
  }

  /** Records (or with null clears) the will of `clientId`'s connection on `nodeId`. */
  setWill(nodeId: string, clientId: string, will: Will | null): Promise<void> {
    return this.write(() =>
      will === null ? ["WD", nodeId, clientId] : ["WS", nodeId, clientId, willToJson(will)],
    );
  }

  /** Adds `nodeId` to `P nodes`. */
  registerNode(nodeId: string): Promise<void> {
    return this.write(() => ["NG", nodeId]);
  }

  /**
   * Forgets a node, atomically: deletes its clean routes (`P r:n:{n}`), releases every
   * ownership it held, deletes `P own:{n}`, its wills (`P w:{n}`) and its heartbeat, removes
   * it from `P nodes` and publishes `{"t":"gone","n":node}`.
   *
   * Returns: the wills `P w:{n}` held, for the caller to publish.
   */
  forgetNode(nodeId: string): Promise<OrphanWill[]> {
    try {
      this.part.assertOpen();
      const { batcher, where } = this.part.connection;
      batcher.begin().push("NF", nodeId);
      return batcher.result((flat) => {
        // cjson encodes an empty Lua table as {}: no wills.
        const list = Array.isArray(flat) ? (flat as string[]) : [];
        const wills: OrphanWill[] = [];
        for (let index = 0; index + 1 < list.length; index += 2) {
          const clientId = String(list[index]);
          try {
            wills.push({ clientId, will: willFromJson(String(list[index + 1]), badStoredData) });
          } catch (error) {
            throw storeErrorFrom(where, `reading the will of "${clientId}"`, error, clientId);
          }
        }
        return wills;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Everything the bus's route caches need at start and after a reconnect: every node's
   * clean routes (for the members of `P nodes`) and every persistent route table (for the
   * members of `P r:pc`). Not one atomic read: changes made meanwhile are announced on
   * `P ev`, which the caller subscribes to before calling this.
   */
  async loadRoutes(): Promise<ClusterRoutes> {
    try {
      return await this.readRoutes();
    } catch (error) {
      throw storeErrorFrom(this.part.connection.where, "loading routes", error);
    }
  }

  private async readRoutes(): Promise<ClusterRoutes> {
    const { redis, keys } = this.part.connection;
    const nodeRoutes = new Map<string, string[]>();
    const nodes = await this.read("loading node routes", () => redis.smembers(keys.nodes));
    for (let from = 0; from < nodes.length; from += ROUTES_PAGE_SIZE) {
      const page = nodes.slice(from, from + ROUTES_PAGE_SIZE);
      const filters = await this.read("loading node routes", () => {
        const pipeline = redis.pipeline();
        for (const nodeId of page) pipeline.smembers(keys.nodeRoutes(nodeId));
        return pipeline.exec();
      });
      for (const [index, nodeId] of page.entries()) {
        const members = pipelineValue<string[]>(filters, index);
        if (members.length > 0) nodeRoutes.set(nodeId, members);
      }
    }
    const persistentRoutes = new Map<string, Array<[string, QoS]>>();
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, clientIds] = await this.read("loading persistent routes", () =>
        redis.sscan(keys.persistentRouteClients, cursor, "COUNT", ROUTES_PAGE_SIZE),
      );
      cursor = next;
      const page = clientIds.filter((clientId) => !seen.has(clientId));
      for (const clientId of page) seen.add(clientId);
      if (page.length === 0) continue;
      const tables = await this.read("loading persistent routes", () => {
        const pipeline = redis.pipeline();
        for (const clientId of page) pipeline.hgetall(keys.persistentRoutes(clientId));
        return pipeline.exec();
      });
      for (const [index, clientId] of page.entries()) {
        const table = pipelineValue<Record<string, string>>(tables, index);
        const routes = Object.entries(table).map(([filter, qos]): [string, QoS] => [
          filter,
          Number(qos) as QoS,
        ]);
        if (routes.length > 0) persistentRoutes.set(clientId, routes);
      }
    } while (cursor !== "0");
    return { nodeRoutes, persistentRoutes };
  }

  /** The members of `P nodes` whose heartbeat key `P hb:{node}` exists. */
  liveNodes(): Promise<string[]> {
    return this.read("listing live nodes", (redis, keys) => redis.ternmqLiveNodes(keys.prefix));
  }

  /** Stops this part; see `RedisStores` for the connection. Idempotent. */
  close(): Promise<void> {
    return this.part.close();
  }

  /** Queues one write op without a result; its promise is the batch's. */
  private write(op: () => (string | number | Buffer)[]): Promise<void> {
    try {
      this.part.assertOpen();
      let items: (string | number | Buffer)[];
      try {
        items = op();
      } catch (error) {
        throw new StoreError("MQTT_ERR_STORE_INVALID_CHANGE", "a cluster write cannot be stored", {
          cause: error,
        });
      }
      const { batcher } = this.part.connection;
      const args = batcher.begin();
      for (const item of items) args.push(item);
      return batcher.shared();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Publishes `message` on `channel` (full name) after every write called before, on the
   * same connection: a subscriber of `channel` sees it after the events those writes
   * published (the cluster bus's route barrier).
   */
  async publishAfterWrites(channel: string, message: string): Promise<void> {
    await this.read("publishing after the pending writes", (redis) =>
      redis.publish(channel, message),
    );
  }

  /** Runs a read after sending the open batch; failures become StoreErrors. */
  private async read<Result>(
    action: string,
    query: (
      redis: StorePart["connection"]["redis"],
      keys: StorePart["connection"]["keys"],
    ) => Promise<Result>,
  ): Promise<Result> {
    this.part.assertOpen();
    const { redis, keys, batcher, where } = this.part.connection;
    batcher.flush();
    try {
      return await query(redis, keys);
    } catch (error) {
      throw storeErrorFrom(where, action, error);
    }
  }
}

/** The reply of command `index` of a pipeline; throws its error. */
function pipelineValue<Value>(
  replies: [error: Error | null, result: unknown][] | null,
  index: number,
): Value {
  const reply = replies?.[index];
  if (reply === undefined) throw new Error("pipeline reply missing");
  if (reply[0] !== null) throw reply[0];
  return reply[1] as Value;
}
