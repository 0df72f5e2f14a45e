/**
 * Copies of the plain data stores keep, so that a caller can neither change stored state
 * through an object it passed in nor through one it got back.
 *
 * Design: hand-written per shape (no generic deep clone) because `copyMessage` runs once
 * per queued message. Objects and arrays are copied; `Uint8Array` contents are shared, as
 * TernMQ treats message bytes as immutable once published. User property pairs are
 * readonly tuples and shared too. Optional fields that are `undefined` are left out.
 */
import type { PublishProperties, Will, WillProperties } from "@ternmq/codec";
import type { OutboundInflight, SessionMessage, SessionSnapshot } from "../snapshot.js";
import type { RetainedMessage } from "./retained-store.js";
import type { StoredSubscription } from "./session-store.js";

/** Copies a 5.0 property bag, including its arrays. */
export function copyProperties<Properties extends PublishProperties | WillProperties>(
  properties: Properties,
): Properties {
  const copy = { ...properties };
  if (properties.userProperties !== undefined) {
    copy.userProperties = properties.userProperties.slice();
  }
  if ("subscriptionIdentifiers" in properties && properties.subscriptionIdentifiers) {
    (copy as PublishProperties).subscriptionIdentifiers =
      properties.subscriptionIdentifiers.slice();
  }
  return copy;
}

export function copyMessage(message: SessionMessage): SessionMessage {
  const copy: SessionMessage = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
  };
  if (message.properties !== undefined) copy.properties = copyProperties(message.properties);
  return copy;
}

/** Written out rather than spread over `copyMessage`: one object per retained message read. */
export function copyRetainedMessage(message: RetainedMessage): RetainedMessage {
  const copy: RetainedMessage = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    receivedAt: message.receivedAt,
  };
  if (message.properties !== undefined) copy.properties = copyProperties(message.properties);
  return copy;
}

export function copyWill(will: Will): Will {
  const copy: Will = {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
  };
  if (will.properties !== undefined) copy.properties = copyProperties(will.properties);
  return copy;
}

export function copyInflight(entry: OutboundInflight): OutboundInflight {
  return entry.state === "awaiting-pubcomp"
    ? { packetId: entry.packetId, state: entry.state }
    : { packetId: entry.packetId, state: entry.state, message: copyMessage(entry.message) };
}

export function copySubscription(subscription: StoredSubscription): StoredSubscription {
  return { ...subscription };
}

export function copySnapshot(snapshot: SessionSnapshot): SessionSnapshot {
  return {
    version: snapshot.version,
    outbound: {
      inflight: snapshot.outbound.inflight.map(copyInflight),
      queued: snapshot.outbound.queued.map(copyMessage),
      nextPacketId: snapshot.outbound.nextPacketId,
    },
    inbound: { awaitingPubrel: snapshot.inbound.awaitingPubrel.slice() },
  };
}
