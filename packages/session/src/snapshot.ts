/**
 * Plain-data shapes shared by the session engine and the stores that persist it.
 *
 * Design: everything here is structured-cloneable data (numbers, strings, booleans,
 * arrays, plain objects and Uint8Array), with a `version` field on the snapshot so a
 * store written by one release can be read, or refused with a clear error, by the next.
 * The engine produces and consumes these; stores keep them without interpreting them.
 */
import type { PublishProperties, QoS } from "@ternmq/codec";

/** An application message as the session keeps it: what PUBLISH carries, minus the packet id. */
export interface SessionMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** MQTT 5.0 properties, kept as received. */
  properties?: PublishProperties;
}

/**
 * One outbound QoS 1/2 message that has a packet id.
 *
 * - `awaiting-puback`: QoS 1 PUBLISH sent (or to be resent with DUP=1), no PUBACK yet.
 * - `awaiting-pubrec`: QoS 2 PUBLISH sent (or to be resent with DUP=1), no PUBREC yet.
 * - `awaiting-pubcomp`: PUBREC received, PUBREL sent (resent on reconnect); the message
 *   itself is released and no longer kept [MQTT-4.3.3-1].
 */
export type OutboundInflight =
  | { packetId: number; state: "awaiting-puback" | "awaiting-pubrec"; message: SessionMessage }
  | { packetId: number; state: "awaiting-pubcomp" };

/** Version of the snapshot layout below; bump on any incompatible change. */
export const SESSION_SNAPSHOT_VERSION = 1;

/** Everything needed to resume a session's delivery state after a reconnect or a restart. */
export interface SessionSnapshot {
  version: typeof SESSION_SNAPSHOT_VERSION;
  outbound: {
    /** In the order the messages were first sent; resent in this order [MQTT-4.4.0-1]. */
    inflight: OutboundInflight[];
    /** Messages waiting for a free slot in the inflight window, oldest first. */
    queued: SessionMessage[];
    /** Where the packet id allocator continues (1-65535). */
    nextPacketId: number;
  };
  inbound: {
    /** QoS 2 packet ids this side has sent PUBREC for and awaits PUBREL on. */
    awaitingPubrel: number[];
  };
}
