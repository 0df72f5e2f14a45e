/**
 * Names of every Redis key and channel of the data layer, under one prefix (`P`, default
 * `"ternmq:"`).
 *
 * Design: a key is `P` + a tag + the id it belongs to (`P s:client-1`); no tag is a prefix of
 * another tag followed by `:`, so a client id that contains `:` can never name another key
 * (`P sq:x` is the queue of "x", `P s:q:x` the record of "q:x"). The Lua ops of batch-script.ts
 * build the same names from the prefix; this module and that script change together. The
 * cluster keys (`in:`, `own`, `r:p:`, `r:pc`, `r:n:`, `nodes`, `hb:`, `w:`, `gone:`) and the
 * channels (`ev`, `c:`, `m:`) are fixed by the cluster contract; the session, retained and
 * transaction keys are this package's choice (README "Key layout").
 */

/** The default key prefix. */
export const DEFAULT_KEY_PREFIX = "ternmq:";

export class StoreKeys {
  /** `P sessions`: set of the client ids that have a session. */
  readonly sessions: string;
  /** `P ret`: hash topic -> retained message. */
  readonly retained: string;
  /** `P own`: hash client id -> owner node id. */
  readonly owners: string;
  /** `P r:pc`: set of the client ids with a persistent route table. */
  readonly persistentRouteClients: string;
  /** `P nodes`: set of the registered node ids. */
  readonly nodes: string;
  /** `P ev`: channel of route and membership events (JSON). */
  readonly events: string;

  constructor(readonly prefix: string) {
    this.sessions = `${prefix}sessions`;
    this.retained = `${prefix}ret`;
    this.owners = `${prefix}own`;
    this.persistentRouteClients = `${prefix}r:pc`;
    this.nodes = `${prefix}nodes`;
    this.events = `${prefix}ev`;
  }

  /** `P s:{id}`: hash of the session record's fields. */
  session(clientId: string): string {
    return `${this.prefix}s:${clientId}`;
  }

  /** `P sq:{id}`: list of the queued messages, oldest first. */
  queue(clientId: string): string {
    return `${this.prefix}sq:${clientId}`;
  }

  /** `P si:{id}`: hash packet id -> inflight entry (state byte + message). */
  inflight(clientId: string): string {
    return `${this.prefix}si:${clientId}`;
  }

  /** `P so:{id}`: sorted set of the inflight packet ids, by the order first sent. */
  inflightOrder(clientId: string): string {
    return `${this.prefix}so:${clientId}`;
  }

  /** `P sa:{id}`: sorted set of the QoS 2 packet ids awaiting PUBREL, by arrival. */
  awaitingPubrel(clientId: string): string {
    return `${this.prefix}sa:${clientId}`;
  }

  /** `P in:{id}`: list, the inbox of a persistent session (cluster). */
  inbox(clientId: string): string {
    return `${this.prefix}in:${clientId}`;
  }

  /** `P r:p:{id}`: hash filter -> granted QoS, the persistent route table of a session. */
  persistentRoutes(clientId: string): string {
    return `${this.prefix}r:p:${clientId}`;
  }

  /** `P r:n:{node}`: set of the filters the clean sessions of a node subscribe to. */
  nodeRoutes(nodeId: string): string {
    return `${this.prefix}r:n:${nodeId}`;
  }

  /** `P own:{node}`: set of the client ids a node owns. */
  ownedBy(nodeId: string): string {
    return `${this.prefix}own:${nodeId}`;
  }

  /** `P hb:{node}`: heartbeat of a node (written by the bus, with an expiry). */
  heartbeat(nodeId: string): string {
    return `${this.prefix}hb:${nodeId}`;
  }

  /** `P w:{node}`: hash client id -> will of the connections on a node. */
  wills(nodeId: string): string {
    return `${this.prefix}w:${nodeId}`;
  }

  /** `P c:{node}`: control channel of a node (JSON). */
  control(nodeId: string): string {
    return `${this.prefix}c:${nodeId}`;
  }

  /** `P tx:{id}`: results of an applied write batch, kept for a resend (PX). */
  transaction(transactionId: string): string {
    return `${this.prefix}tx:${transactionId}`;
  }
}
