/**
 * The checks every `SessionStore.update` makes before it applies anything, so that the
 * in-memory and the durable stores reject the same changes with the same error.
 */
import type { SessionChanges } from "./session-store.js";
import { StoreError } from "./store-error.js";

/**
 * Rejects a change that would leave the session inconsistent: a `dequeue` that is not a
 * count (or, when `queuedCount` is given, larger than it) and a packet id outside 1-65535
 * in `nextPacketId`, `removeInflight`, `putInflight`, `removeAwaitingPubrel` or
 * `addAwaitingPubrel`.
 *
 * Parameters: `queuedCount` is the number of queued messages, when the store knows it
 * without a round trip; a store that does not checks `dequeue` against it itself.
 * Throws: StoreError `MQTT_ERR_STORE_INVALID_CHANGE` naming `clientId` and the first
 * wrong value.
 */
export function validateSessionChanges(
  clientId: string,
  changes: SessionChanges,
  queuedCount?: number,
): void {
  const { dequeue } = changes;
  if (dequeue !== undefined && !(Number.isInteger(dequeue) && dequeue >= 0)) {
    throw invalidChangeError(clientId, `dequeue ${dequeue} is not a count`);
  }
  if (dequeue !== undefined && queuedCount !== undefined && dequeue > queuedCount) {
    throw invalidChangeError(clientId, `dequeue ${dequeue} but only ${queuedCount} queued`);
  }
  const { nextPacketId } = changes;
  if (nextPacketId !== undefined && isNotPacketId(nextPacketId)) {
    throw invalidChangeError(clientId, `nextPacketId ${nextPacketId} is not a packet id (1-65535)`);
  }
  const wrongId =
    changes.removeInflight?.find(isNotPacketId) ??
    changes.putInflight?.find((entry) => isNotPacketId(entry.packetId))?.packetId ??
    changes.removeAwaitingPubrel?.find(isNotPacketId) ??
    changes.addAwaitingPubrel?.find(isNotPacketId);
  if (wrongId !== undefined) {
    throw invalidChangeError(clientId, `${wrongId} is not a packet id (1-65535)`);
  }
}

/**
 * The StoreError `MQTT_ERR_STORE_INVALID_CHANGE` for a change to the session of `clientId`:
 * message `session "<clientId>": <what>`, `cause` when a lower error (an encoder's) caused it.
 */
export function invalidChangeError(clientId: string, what: string, cause?: unknown): StoreError {
  return new StoreError("MQTT_ERR_STORE_INVALID_CHANGE", `session "${clientId}": ${what}`, {
    clientId,
    cause,
  });
}

/** Packet ids are non-zero 16-bit integers: [MQTT-2.3.1-1] (3.1.1), [MQTT-2.2.1-3] (5.0). */
function isNotPacketId(value: number): boolean {
  return !(Number.isInteger(value) && value >= 1 && value <= 0xffff);
}
