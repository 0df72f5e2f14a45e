/**
 * Keeps a client's outbound inflight QoS 1/2 messages and its QoS 2 receiver ids in a
 * `SessionStore`, so that a process restart with the same client id (clean=false) and the
 * same store resends them with their original packet ids [MQTT-4.4.0-1].
 *
 * Design: incremental, from the engine's Steps (see the session README, "Snapshots and
 * persistence"): a first-time PUBLISH with a packet id in `send` is a new inflight entry, a
 * PUBREL in `send` moves it to `awaiting-pubcomp`, `publish-complete` and a dropped inflight
 * message remove it, a PUBCOMP in `send` removes a QoS 2 receiver id. The receiver id itself
 * is written BEFORE the PUBREC leaves (`beforePubrec`), so a restart can never deliver a
 * QoS 2 message twice. Each Step becomes at most one atomic `update`; writes are not awaited
 * on the send path (the store keeps call order). Messages never sent (the offline queue)
 * are not persisted: their promises die with the process.
 */
import {
  type OutboundInflight,
  SESSION_SNAPSHOT_VERSION,
  type SessionChanges,
  type SessionSnapshot,
  type SessionStore,
  type Step,
} from "@ternmq/session";
import { ClientError } from "./errors.js";

/** 3.1.1 has no session expiry: a CleanSession=0 session is kept until a clean start. */
const NEVER_EXPIRES = 0xffff_ffff;

export class SessionPersistence {
  private readonly inflightIds = new Set<number>();
  private readonly awaitingPubrel = new Set<number>();

  private constructor(
    private readonly store: SessionStore,
    private readonly clientId: string,
    private readonly onError: (error: ClientError) => void,
  ) {}

  /**
   * Loads the stored session of `clientId`, or creates an empty one. Returns the
   * persistence and the snapshot to resume from (undefined: start empty).
   */
  static async open(
    store: SessionStore,
    clientId: string,
    onError: (error: ClientError) => void,
  ): Promise<{ persistence: SessionPersistence; snapshot: SessionSnapshot | undefined }> {
    const persistence = new SessionPersistence(store, clientId, onError);
    const record = await store.load(clientId);
    if (record === undefined) {
      const now = Date.now();
      await store.save({
        clientId,
        createdAt: now,
        updatedAt: now,
        sessionExpiryInterval: NEVER_EXPIRES,
        subscriptions: [],
        snapshot: {
          version: SESSION_SNAPSHOT_VERSION,
          outbound: { inflight: [], queued: [], nextPacketId: 1 },
          inbound: { awaitingPubrel: [] },
        },
      });
      return { persistence, snapshot: undefined };
    }
    const snapshot = record.snapshot;
    for (const entry of snapshot.outbound.inflight) persistence.inflightIds.add(entry.packetId);
    for (const packetId of snapshot.inbound.awaitingPubrel) {
      persistence.awaitingPubrel.add(packetId);
    }
    // The offline queue is not the store's business (see the module comment).
    return {
      persistence,
      snapshot: { ...snapshot, outbound: { ...snapshot.outbound, queued: [] } },
    };
  }

  /** Records what `step` changed of the inflight state. */
  record(step: Step): void {
    const removeInflight: number[] = [];
    const putInflight: OutboundInflight[] = [];
    const removeAwaitingPubrel: number[] = [];
    let nextPacketId: number | undefined;
    // Removals first: an id freed by this Step may be reused by a PUBLISH in it.
    for (const event of step.events) {
      const packetId =
        event.type === "publish-complete" || event.type === "message-dropped"
          ? event.packetId
          : undefined;
      if (packetId !== undefined && this.inflightIds.delete(packetId)) {
        removeInflight.push(packetId);
      }
    }
    for (const packet of step.send) {
      if (packet.type === "publish" && packet.packetId !== undefined && !packet.dup) {
        this.inflightIds.add(packet.packetId);
        putInflight.push({
          packetId: packet.packetId,
          state: packet.qos === 1 ? "awaiting-puback" : "awaiting-pubrec",
          message: {
            topic: packet.topic,
            payload: packet.payload,
            qos: packet.qos,
            retain: packet.retain,
          },
        });
        nextPacketId = (packet.packetId % 0xffff) + 1;
      } else if (packet.type === "pubrel" && this.inflightIds.has(packet.packetId)) {
        putInflight.push({ packetId: packet.packetId, state: "awaiting-pubcomp" });
      } else if (packet.type === "pubcomp" && this.awaitingPubrel.delete(packet.packetId)) {
        removeAwaitingPubrel.push(packet.packetId);
      }
    }
    if (removeInflight.length + putInflight.length + removeAwaitingPubrel.length === 0) return;
    const changes: SessionChanges = {};
    if (removeInflight.length > 0) changes.removeInflight = removeInflight;
    if (putInflight.length > 0) changes.putInflight = putInflight;
    if (nextPacketId !== undefined) changes.nextPacketId = nextPacketId;
    if (removeAwaitingPubrel.length > 0) changes.removeAwaitingPubrel = removeAwaitingPubrel;
    this.write(changes);
  }

  /** Writes a QoS 2 receiver id; the PUBREC may leave once this resolves. */
  beforePubrec(packetId: number): Promise<void> {
    if (this.awaitingPubrel.has(packetId)) return Promise.resolve();
    this.awaitingPubrel.add(packetId);
    return this.write({ addAwaitingPubrel: [packetId] });
  }

  /** The server has no session: its QoS 2 receiver ids are gone too [MQTT-3.1.2-6]. */
  sessionDiscarded(): void {
    if (this.awaitingPubrel.size === 0) return;
    const ids = Array.from(this.awaitingPubrel);
    this.awaitingPubrel.clear();
    this.write({ removeAwaitingPubrel: ids });
  }

  private write(changes: SessionChanges): Promise<void> {
    return this.store.update(this.clientId, changes).catch((error: unknown) => {
      this.onError(
        new ClientError("MQTT_ERR_CLIENT_STORE", "the session store refused a write", {
          cause: error,
        }),
      );
    });
  }
}
