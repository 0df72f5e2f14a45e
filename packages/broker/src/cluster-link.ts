/**
 * This broker node's side of the cluster: what the bus asks of the node (`ClusterNode`) and
 * what the node's connections ask of the cluster (claim a session before CONNACK, move inbox
 * messages into a session's engine, forward PUBLISHes). See cluster.ts for the model.
 *
 * Design: inbox draining is one loop per session, never two at once (two reads of the same
 * inbox head would hand the same messages to the engine twice). A drain reads a page of the
 * inbox, hands each message to the engine (which sends or queues it and journals the change)
 * and trims the page from the inbox in the same event-loop turn, so the trim and the journal
 * commit in one store transaction. A page is never larger than the room left in the
 * session's queue: the inbox in the store holds the rest (nothing is dropped for a backlog
 * that the store can hold), and an acknowledgement that frees room resumes the drain
 * (`roomFreed`). A drain asked for while one runs sets `again`, and the loop reads once
 * more when it ends. Drains of a session that left the node meanwhile stop without
 * trimming: the messages stay for the next owner.
 *
 * Order: a session loaded from the store may have messages in its inbox that this node's
 * own publishers put there while another node (or none) held it. Until a drain has found the
 * inbox empty, this node's new messages for that session go to the inbox too (`redirect`,
 * the router's InboxGate), behind the older ones, instead of overtaking them in the engine.
 * The inbox counts as empty when a read returned less than it asked for and no message was
 * redirected since the read was issued (a read runs after every write called before it).
 */
import type { Will } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import type { ClusterBus, ClusterNode } from "./cluster.js";
import type { BrokerContext } from "./context.js";
import type { InboxGate } from "./router.js";
import type { SessionEntry } from "./session-registry.js";
import { isSysTopic } from "./sys-topic.js";
import type { BrokerMessage, ClientInfo } from "./types.js";

/** Inbox messages moved into an engine per store round trip. */
const INBOX_PAGE = 256;

/** Per session: a drain is running, and whether another was asked for meanwhile. */
interface DrainState {
  again: boolean;
}

/** A session whose inbox may hold messages older than what this node would deliver now. */
interface UndrainedInbox {
  /** Messages this node redirected to the inbox so far. */
  redirected: number;
}

export class ClusterLink implements ClusterNode, InboxGate {
  private readonly draining = new Map<string, DrainState>();
  private readonly undrained = new Map<string, UndrainedInbox>();
  /** Sessions whose drain stopped on a full queue, resumed by `roomFreed`. */
  private readonly waitingForRoom = new Set<string>();

  constructor(
    readonly bus: ClusterBus,
    private readonly context: BrokerContext,
  ) {}

  /** Joins the cluster; the broker's `ready` waits for it. */
  start(): Promise<void> {
    return this.bus.start(this);
  }

  /**
   * Before CONNACK: makes this node the owner of `clientId` (the node that held it closes the
   * connection there first) and, for Clean Session 0, loads the stored session unless this
   * node holds it. Clean Session 1 deletes a stored session of that id [MQTT-3.1.2-6].
   * Resolves false when the cluster cannot take the session now (the client gets CONNACK 3).
   */
  async prepareSession(clientId: string, clean: boolean): Promise<boolean> {
    const { bus, context } = this;
    const logger = context.logger;
    if (!bus.available) {
      if (!clean) {
        logger.warn({ clientId }, "cluster store unavailable: persistent session refused");
        return false;
      }
      logger.warn(
        { clientId },
        "cluster store unavailable: clean session served by this node only",
      );
      return true;
    }
    try {
      await bus.claim(clientId);
    } catch (error) {
      logger.warn({ clientId, err: error }, "cluster: session not claimed");
      return false;
    }
    const registry = context.registry;
    if (registry.get(clientId) !== undefined) return true;
    const sessions = context.sessionStore;
    if (clean) {
      context.writes.track(sessions.delete(clientId));
      return true;
    }
    try {
      const record = await sessions.load(clientId);
      if (record !== undefined && registry.get(clientId) === undefined) {
        registry.adopt(record);
        this.undrained.set(clientId, { redirected: 0 });
      }
      return true;
    } catch (error) {
      logger.error({ clientId, err: error }, "cluster: stored session not loaded");
      return false;
    }
  }

  /**
   * The connection that `prepareSession` was for closed before CONNACK: a session it loaded
   * and holds without a connection goes back to the store, and its ownership with it.
   */
  abandonSession(clientId: string): void {
    const entry = this.context.registry.get(clientId);
    if (entry !== undefined && entry.connection !== undefined) return; // another connection has it
    if (entry !== undefined) this.context.registry.forget(entry);
    this.forgetInbox(clientId);
    this.context.logger.debug(
      { clientId },
      "cluster: client left before CONNACK, session released",
    );
    this.context.writes.track(this.bus.release(clientId));
  }

  /** After CONNACK: the will is recorded for the cluster, queued inbox messages move in. */
  connected(entry: SessionEntry, will: Will | undefined): void {
    if (will !== undefined) this.context.writes.track(this.bus.setWill(entry.clientId, will));
    if (entry.persistent) this.inboxChanged(entry.clientId);
  }

  /** The connection of `clientId` that had a will ended: published or discarded, it is done. */
  willEnded(clientId: string): void {
    this.context.writes.track(this.bus.setWill(clientId, null));
  }

  /**
   * Sends a message published on this node to the other nodes; the inbox writes it makes are
   * tracked, so an acknowledgement waits for them. `$SYS` topics stay on their node.
   */
  forward(message: BrokerMessage): void {
    if (isSysTopic(message.topic)) return;
    const stored = this.bus.forward(message);
    if (stored !== undefined) this.context.writes.track(stored);
  }

  /** InboxGate: see the module comment ("Order"). */
  redirect(entry: SessionEntry, message: SessionMessage): boolean {
    const undrained = this.undrained.get(entry.clientId);
    if (undrained === undefined) return false;
    undrained.redirected++;
    this.context.writes.track(this.bus.appendToInbox(entry.clientId, message));
    return true;
  }

  /** An acknowledgement of `entry`'s client freed room in its queue. */
  roomFreed(entry: SessionEntry): void {
    if (this.waitingForRoom.delete(entry.clientId)) this.inboxChanged(entry.clientId);
  }

  // ---- ClusterNode: called by the bus ----

  hasSession(clientId: string): boolean {
    return this.context.registry.get(clientId) !== undefined;
  }

  deliverFromPeer(message: BrokerMessage): void {
    this.context.router.route(message, true);
  }

  async releaseSession(clientId: string): Promise<void> {
    this.forgetInbox(clientId);
    const registry = this.context.registry;
    const entry = registry.get(clientId);
    if (entry !== undefined) {
      if (entry.connection !== undefined) entry.connection.close("takeover");
      else registry.forget(entry);
    }
    await this.context.writes.whenDurable();
  }

  inboxChanged(clientId: string): void {
    const running = this.draining.get(clientId);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const entry = this.context.registry.get(clientId);
    if (entry === undefined || !entry.persistent) return;
    const state: DrainState = { again: false };
    this.draining.set(clientId, state);
    this.drain(entry, state).then(
      () => this.draining.delete(clientId),
      (error: unknown) => {
        this.draining.delete(clientId);
        this.context.logger.error({ clientId, err: error }, "cluster: inbox not read");
      },
    );
  }

  publishOrphanWill(clientId: string, will: Will): void {
    const client: ClientInfo = { clientId, protocolVersion: 4 };
    this.context.logger.info({ clientId, topic: will.topic }, "will of a dead node's client");
    this.context.publishWill(client, will);
  }

  sessionLost(clientId: string): void {
    this.forgetInbox(clientId);
    const entry = this.context.registry.get(clientId);
    if (entry === undefined) return;
    this.context.logger.warn({ clientId }, "cluster: session now owned by another node");
    if (entry.connection !== undefined) {
      entry.connection.will = undefined; // the other node holds the session and its will now
      entry.connection.close("takeover");
    } else {
      this.context.registry.forget(entry);
    }
  }

  localClientCount(): number {
    return this.context.stats.clientsConnected;
  }

  *heldClientIds(): Iterable<string> {
    for (const entry of this.context.registry.entries()) yield entry.clientId;
  }

  availabilityChanged(available: boolean): void {
    const logger = this.context.logger;
    if (available) logger.info({ node: this.bus.nodeId }, "cluster store reachable again");
    else
      logger.error(
        { node: this.bus.nodeId },
        "cluster store unreachable: persistent sessions refused, their messages held until it returns",
      );
  }

  /** The session left this node: its inbox is the next owner's. */
  private forgetInbox(clientId: string): void {
    this.undrained.delete(clientId);
    this.waitingForRoom.delete(clientId);
  }

  /** Moves the inbox of `entry` into its engine, page by page (see the module comment). */
  private async drain(entry: SessionEntry, state: DrainState): Promise<void> {
    const { bus, context } = this;
    const clientId = entry.clientId;
    const maxQueued = context.settings.limits.maxQueuedMessages;
    for (;;) {
      state.again = false;
      const room = maxQueued - entry.engine.counters.queued;
      if (room <= 0) {
        this.waitingForRoom.add(clientId);
        return;
      }
      const asked = Math.min(INBOX_PAGE, room);
      const undrained = this.undrained.get(clientId);
      const redirectedBefore = undrained?.redirected;
      const messages = await bus.readInbox(clientId, asked);
      if (context.registry.get(clientId) !== entry) {
        this.undrained.delete(clientId); // left the node: the messages stay in the inbox
        return;
      }
      if (messages.length > 0) {
        const now = context.now();
        for (const message of messages) {
          context.applyOutbound(entry, entry.engine.publish(message, now));
        }
        context.writes.track(bus.trimInbox(clientId, messages.length));
      }
      if (messages.length < asked && undrained !== undefined) {
        if (undrained.redirected === redirectedBefore) this.undrained.delete(clientId);
      }
      if (messages.length < asked && !state.again && !this.undrained.has(clientId)) return;
    }
  }
}
