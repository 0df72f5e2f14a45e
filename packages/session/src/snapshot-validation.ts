/**
 * Checks a SessionSnapshot before a session is restored from it.
 *
 * Design: snapshots come from storage, possibly written by another release or corrupted, so
 * the engine refuses anything it cannot resume exactly: an unknown `version`
 * (MQTT_ERR_SESSION_SNAPSHOT_VERSION) or a layout that breaks an invariant the engine relies
 * on (MQTT_ERR_SESSION_SNAPSHOT_INVALID): valid and unique packet ids, known states, a
 * message wherever one is resent.
 */
import { SessionError } from "./errors.js";
import { isPacketId } from "./packet-id-allocator.js";
import { SESSION_SNAPSHOT_VERSION, type SessionMessage, type SessionSnapshot } from "./snapshot.js";

function invalid(reason: string): never {
  throw new SessionError(
    "MQTT_ERR_SESSION_SNAPSHOT_INVALID",
    `invalid session snapshot: ${reason}`,
  );
}

function isMessage(value: unknown): value is SessionMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Partial<SessionMessage>;
  return (
    typeof message.topic === "string" &&
    message.payload instanceof Uint8Array &&
    (message.qos === 0 || message.qos === 1 || message.qos === 2) &&
    typeof message.retain === "boolean"
  );
}

/** Throws unless `snapshot` is a version-1 snapshot the engine can resume. */
export function validateSnapshot(snapshot: SessionSnapshot): void {
  const version: unknown = (snapshot as { version?: unknown } | null)?.version;
  if (version !== SESSION_SNAPSHOT_VERSION) {
    throw new SessionError(
      "MQTT_ERR_SESSION_SNAPSHOT_VERSION",
      `session snapshot version ${String(version)} is not supported (expected ${SESSION_SNAPSHOT_VERSION})`,
    );
  }
  const { outbound, inbound } = snapshot;
  if (!Array.isArray(outbound?.inflight) || !Array.isArray(outbound.queued)) {
    invalid("outbound.inflight and outbound.queued must be arrays");
  }
  if (!isPacketId(outbound.nextPacketId)) invalid("outbound.nextPacketId out of range");
  const seen = new Set<number>();
  for (const item of outbound.inflight) {
    if (!isPacketId(item?.packetId) || seen.has(item.packetId)) {
      invalid(`inflight packet id ${String(item?.packetId)} is invalid or repeated`);
    }
    seen.add(item.packetId);
    if (item.state === "awaiting-pubcomp") continue;
    if (item.state !== "awaiting-puback" && item.state !== "awaiting-pubrec") {
      invalid(`inflight state ${String((item as { state?: unknown }).state)} is unknown`);
    }
    const expectedQoS = item.state === "awaiting-puback" ? 1 : 2;
    if (!isMessage(item.message) || item.message.qos !== expectedQoS) {
      invalid(`inflight packet id ${item.packetId} has no QoS ${expectedQoS} message`);
    }
  }
  for (const message of outbound.queued) {
    if (!isMessage(message)) invalid("a queued message is malformed");
  }
  if (!Array.isArray(inbound?.awaitingPubrel)) invalid("inbound.awaitingPubrel must be an array");
  const awaiting = new Set<number>();
  for (const packetId of inbound.awaitingPubrel) {
    if (!isPacketId(packetId) || awaiting.has(packetId)) {
      invalid(`inbound packet id ${String(packetId)} is invalid or repeated`);
    }
    awaiting.add(packetId);
  }
}
