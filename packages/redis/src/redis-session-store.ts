/**
 * `SessionStore` on Redis.
 *
 * Design: a session is five keys (keys.ts), laid out so that `update` costs what the change
 * costs, never a rewrite of the session: the record fields in a hash (`P s:{id}`), the
 * queued messages in a list (`P sq:{id}`: enqueue is RPUSH, dequeue of n is one LTRIM), the
 * inflight entries in a hash by packet id (`P si:{id}`) with their order first sent in a
 * sorted set (`P so:{id}`, score from a counter in the record hash, kept when an entry is
 * replaced in place), the QoS 2 ids awaiting PUBREL in a sorted set by arrival (`P sa:{id}`).
 * `P sessions` lists the client ids. A save or update with subscriptions also rewrites the
 * persistent route table of the cluster (`P r:p:{id}`, `P r:pc`) and publishes the `ev` "p"
 * event in the same Lua op; delete removes the routes and the inbox (`P in:{id}`) too.
 *
 * Everything that can be checked without the stored data (snapshot version, packet ids
 * 1-65535, counts, every message encodable) is checked here before the op is queued; what
 * needs the stored data (the session exists, `dequeue` within the queue) is checked by the
 * Lua op before its first write, so a rejected call changes nothing. A save cannot be
 * refused by Redis and shares the batch's promise; an update gets its own.
 */
import {
  invalidChangeError,
  type OutboundInflight,
  SESSION_SNAPSHOT_VERSION,
  type SessionChanges,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  type StoredSubscription,
  StoreError,
  subscriptionsFromJson,
  subscriptionsToJson,
  validateSessionChanges,
  willFromJson,
  willToJson,
} from "@ternmq/session";
import type { BatchArgument } from "./batch.js";
import { badStoredData, storeErrorFrom } from "./errors.js";
import { decodeInflight, decodeMessage, encodeInflight, encodeMessage } from "./message-codec.js";
import type { StorePart } from "./store-part.js";

/** Fields of the record hash `P s:{id}`. */
const FIELD = {
  createdAt: "c",
  updatedAt: "u",
  sessionExpiryInterval: "x",
  disconnectedAt: "d",
  subscriptions: "sub",
  will: "w",
  nextPacketId: "n",
  version: "v",
} as const;

/** Client ids read per SSCAN call by `clientIds()`. */
const CLIENT_ID_PAGE_SIZE = 1000;

/** What the load script returns for an existing session (see batch-script.ts). */
type LoadReply = [Buffer[], Buffer[], Buffer[], (Buffer | null)[], Buffer[]];

export class RedisSessionStore implements SessionStore {
  /** @internal Made by `openRedisStores`. */
  constructor(private readonly part: StorePart) {}

  async load(clientId: string): Promise<SessionRecord | undefined> {
    this.part.assertOpen();
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    let reply: unknown;
    try {
      reply = await redis.ternmqLoadSessionBuffer(keys.prefix, clientId);
    } catch (error) {
      throw storeErrorFrom(where, `loading session "${clientId}"`, error, clientId);
    }
    if (reply === null) return undefined;
    try {
      return recordFromReply(clientId, reply as LoadReply);
    } catch (error) {
      throw storeErrorFrom(where, `loading session "${clientId}"`, error, clientId);
    }
  }

  save(record: SessionRecord): Promise<void> {
    try {
      this.part.assertOpen();
      const { clientId, snapshot } = record;
      if (snapshot.version !== SESSION_SNAPSHOT_VERSION) {
        throw new StoreError(
          "MQTT_ERR_STORE_SNAPSHOT_VERSION",
          `session "${clientId}": snapshot version ${String(snapshot.version)} is not ${SESSION_SNAPSHOT_VERSION}`,
          { clientId },
        );
      }
      const queued = encodeAll(clientId, snapshot.outbound.queued);
      const inflight = encodeInflightEntries(clientId, snapshot.outbound.inflight);
      const set: BatchArgument[] = [
        FIELD.createdAt,
        record.createdAt,
        FIELD.updatedAt,
        record.updatedAt,
        FIELD.sessionExpiryInterval,
        record.sessionExpiryInterval,
        FIELD.subscriptions,
        subscriptionsToJson(record.subscriptions),
        FIELD.nextPacketId,
        snapshot.outbound.nextPacketId,
        FIELD.version,
        SESSION_SNAPSHOT_VERSION,
      ];
      if (record.disconnectedAt !== undefined)
        set.push(FIELD.disconnectedAt, record.disconnectedAt);
      if (record.will !== undefined) set.push(FIELD.will, willToJson(record.will));
      const args = this.part.connection.batcher.begin();
      args.push("S", clientId, "1", 0, set.length / 2, ...set, 0);
      pushRoutes(args, clientId, record.subscriptions);
      pushList(args, queued);
      args.push(0);
      pushPairs(args, inflight);
      args.push(0);
      pushList(args, snapshot.inbound.awaitingPubrel);
      return this.part.connection.batcher.shared();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  update(clientId: string, changes: SessionChanges): Promise<void> {
    try {
      this.part.assertOpen();
      validateSessionChanges(clientId, changes);
      const enqueued = changes.enqueue === undefined ? [] : encodeAll(clientId, changes.enqueue);
      const inflight =
        changes.putInflight === undefined
          ? []
          : encodeInflightEntries(clientId, changes.putInflight);
      const set: BatchArgument[] = [];
      const cleared: string[] = [];
      if (changes.updatedAt !== undefined) set.push(FIELD.updatedAt, changes.updatedAt);
      if (changes.sessionExpiryInterval !== undefined) {
        set.push(FIELD.sessionExpiryInterval, changes.sessionExpiryInterval);
      }
      if (changes.disconnectedAt === null) cleared.push(FIELD.disconnectedAt);
      else if (changes.disconnectedAt !== undefined) {
        set.push(FIELD.disconnectedAt, changes.disconnectedAt);
      }
      if (changes.subscriptions !== undefined) {
        set.push(FIELD.subscriptions, subscriptionsToJson(changes.subscriptions));
      }
      if (changes.will === null) cleared.push(FIELD.will);
      else if (changes.will !== undefined) set.push(FIELD.will, willToJson(changes.will));
      if (changes.nextPacketId !== undefined) set.push(FIELD.nextPacketId, changes.nextPacketId);

      const { batcher } = this.part.connection;
      const args = batcher.begin();
      args.push("S", clientId, "0", changes.dequeue ?? 0, set.length / 2, ...set);
      pushList(args, cleared);
      if (changes.subscriptions === undefined) args.push("0");
      else pushRoutes(args, clientId, changes.subscriptions);
      pushList(args, enqueued);
      pushList(args, changes.removeInflight ?? []);
      pushPairs(args, inflight);
      pushList(args, changes.removeAwaitingPubrel ?? []);
      pushList(args, changes.addAwaitingPubrel ?? []);
      return batcher.result((outcome) => {
        if (outcome === "NF") {
          throw new StoreError("MQTT_ERR_STORE_SESSION_NOT_FOUND", `no session for "${clientId}"`, {
            clientId,
          });
        }
        if (outcome === "IC") {
          throw invalidChangeError(
            clientId,
            `dequeue ${String(changes.dequeue)} is beyond the queue`,
          );
        }
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(clientId: string): Promise<void> {
    try {
      this.part.assertOpen();
      const { batcher } = this.part.connection;
      batcher.begin().push("D", clientId, routesEvent(clientId, []));
      return batcher.shared();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * When the last connection of `clientId`'s session ended (ms), read without loading the
   * session; undefined when there is no session or a connection is open (cluster expiry).
   */
  async disconnectedAt(clientId: string): Promise<number | undefined> {
    this.part.assertOpen();
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    let value: string | null;
    try {
      value = await redis.hget(keys.session(clientId), FIELD.disconnectedAt);
    } catch (error) {
      throw storeErrorFrom(where, `reading session "${clientId}"`, error, clientId);
    }
    return value === null || value === "" ? undefined : Number(value);
  }

  async *clientIds(): AsyncIterable<string> {
    this.part.assertOpen();
    const { redis, batcher, keys, where } = this.part.connection;
    batcher.flush();
    // SSCAN may return a member twice (when the set is rehashed meanwhile): yield it once.
    const seen = new Set<string>();
    let cursor = "0";
    do {
      let page: [string, string[]];
      try {
        page = await redis.sscan(keys.sessions, cursor, "COUNT", CLIENT_ID_PAGE_SIZE);
      } catch (error) {
        throw storeErrorFrom(where, "listing sessions", error);
      }
      this.part.assertOpen();
      cursor = page[0];
      for (const clientId of page[1]) {
        if (seen.has(clientId)) continue;
        seen.add(clientId);
        yield clientId;
        this.part.assertOpen();
      }
    } while (cursor !== "0");
  }

  close(): Promise<void> {
    return this.part.close();
  }
}

/**
 * Pushes the route section of a session op: the persistent route table derived from
 * `subscriptions` (highest QoS per filter) and the `ev` "p" event that announces it.
 */
function pushRoutes(
  args: BatchArgument[],
  clientId: string,
  subscriptions: readonly StoredSubscription[],
): void {
  const routes = new Map<string, number>();
  for (const { topicFilter, qos } of subscriptions) {
    routes.set(topicFilter, Math.max(qos, routes.get(topicFilter) ?? 0));
  }
  args.push("1", routes.size);
  for (const [filter, qos] of routes) args.push(filter, qos);
  args.push(routesEvent(clientId, [...routes]));
}

/** The `ev` "p" event: the complete persistent subscription list of `clientId`. */
function routesEvent(clientId: string, routes: readonly [string, number][]): string {
  return JSON.stringify({ t: "p", c: clientId, s: routes });
}

/** Pushes the number of pairs in `flat` and its items. */
function pushPairs(args: BatchArgument[], flat: readonly BatchArgument[]): void {
  args.push(flat.length / 2);
  for (const item of flat) args.push(item);
}

/** Pushes a count and the items. */
function pushList(args: BatchArgument[], items: readonly BatchArgument[]): void {
  args.push(items.length);
  for (const item of items) args.push(item);
}

function recordFromReply(clientId: string, reply: LoadReply): SessionRecord {
  const [flatFields, queuedBytes, inflightIds, inflightEntries, awaitingIds] = reply;
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flatFields.length; index += 2) {
    fields.set(String(flatFields[index]), String(flatFields[index + 1]));
  }
  const version = Number(fields.get(FIELD.version));
  if (version !== SESSION_SNAPSHOT_VERSION) {
    throw new StoreError(
      "MQTT_ERR_STORE_SNAPSHOT_VERSION",
      `session "${clientId}": stored snapshot version ${String(fields.get(FIELD.version))} is not ${SESSION_SNAPSHOT_VERSION}`,
      { clientId },
    );
  }
  const inflight = inflightIds.map((id, index) => {
    const entry = inflightEntries[index];
    const packetId = Number(String(id));
    if (entry === null || entry === undefined) {
      throw badStoredData(`inflight entry ${packetId}`, new Error("missing"));
    }
    return decodeInflight(packetId, entry);
  });
  const record: SessionRecord = {
    clientId,
    createdAt: numberField(fields, FIELD.createdAt),
    updatedAt: numberField(fields, FIELD.updatedAt),
    sessionExpiryInterval: numberField(fields, FIELD.sessionExpiryInterval),
    subscriptions: subscriptionsFromJson(fields.get(FIELD.subscriptions) ?? "[]", badStoredData),
    snapshot: {
      version: SESSION_SNAPSHOT_VERSION,
      outbound: {
        inflight,
        queued: queuedBytes.map((bytes) => decodeMessage(bytes)),
        nextPacketId: numberField(fields, FIELD.nextPacketId),
      },
      inbound: { awaitingPubrel: awaitingIds.map((id) => Number(String(id))) },
    },
  };
  const disconnectedAt = fields.get(FIELD.disconnectedAt);
  if (disconnectedAt !== undefined) record.disconnectedAt = Number(disconnectedAt);
  const will = fields.get(FIELD.will);
  if (will !== undefined) record.will = willFromJson(will, badStoredData);
  return record;
}

function numberField(fields: Map<string, string>, field: string): number {
  const value = Number(fields.get(field));
  if (!Number.isFinite(value)) {
    throw badStoredData(`session field "${field}"`, new Error("not a number"));
  }
  return value;
}

/** Encodes messages before anything is queued; an invalid one rejects the whole call. */
function encodeAll(clientId: string, messages: readonly SessionMessage[]): Buffer[] {
  try {
    return messages.map(encodeMessage);
  } catch (error) {
    throw invalidChangeError(clientId, "a message cannot be stored", error);
  }
}

/** Packet id and entry of each inflight entry, flat, as the Lua op takes them. */
function encodeInflightEntries(
  clientId: string,
  entries: readonly OutboundInflight[],
): BatchArgument[] {
  try {
    const flat: BatchArgument[] = [];
    for (const entry of entries) flat.push(entry.packetId, encodeInflight(entry));
    return flat;
  } catch (error) {
    throw invalidChangeError(clientId, "an inflight entry cannot be stored", error);
  }
}
