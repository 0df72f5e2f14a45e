/**
 * Data the conformance suites write and expect back: every field set, binary data with
 * every byte value, topics and client ids outside ASCII, and 5.0 user properties with
 * duplicates in a meaningful order.
 */
import type { PublishProperties, Will } from "@ternmq/codec";
import {
  SESSION_SNAPSHOT_VERSION,
  type SessionMessage,
  type SessionSnapshot,
} from "../snapshot.js";
import type { RetainedMessage } from "../store/retained-store.js";
import type { SessionRecord } from "../store/session-store.js";

/** 0x00 to 0xFF, then 0xFF down to 0x00: every byte value, in both orders. */
export function everyByteValue(): Uint8Array {
  const bytes = new Uint8Array(512);
  for (let index = 0; index < 256; index++) {
    bytes[index] = index;
    bytes[511 - index] = index;
  }
  return bytes;
}

/** Bytes that encode `index` so that messages of a long sequence are told apart. */
export function numberedPayload(index: number): Uint8Array {
  return Uint8Array.of(index & 0xff, (index >>> 8) & 0xff, (index >>> 16) & 0xff);
}

/** A topic with accents, CJK, an emoji (a surrogate pair), a space and an empty level. */
export const UNICODE_TOPIC = "capteurs/température/温度//🌡 salon";

/** Every 5.0 PUBLISH property, user properties with a repeated name and a repeated pair. */
export function fullPublishProperties(): PublishProperties {
  return {
    payloadFormatIndicator: 1,
    messageExpiryInterval: 86_400,
    contentType: "application/json; charset=utf-8",
    responseTopic: "réponses/🚀",
    correlationData: everyByteValue(),
    userProperties: [
      ["region", "eu"],
      ["région", "😀"],
      ["region", "us"],
      ["region", "eu"],
      ["", ""],
    ],
    subscriptionIdentifiers: [1, 268_435_455],
  };
}

export function message(
  topic: string,
  payload: Uint8Array,
  overrides: Partial<SessionMessage> = {},
): SessionMessage {
  return { topic, payload, qos: 1, retain: false, ...overrides };
}

/** A message with every field set. */
export function fullMessage(): SessionMessage {
  return message(UNICODE_TOPIC, everyByteValue(), {
    qos: 2,
    retain: true,
    properties: fullPublishProperties(),
  });
}

export function fullWill(): Will {
  return {
    topic: "clients/ünï/status",
    payload: everyByteValue(),
    qos: 1,
    retain: true,
    properties: {
      willDelayInterval: 30,
      payloadFormatIndicator: 0,
      messageExpiryInterval: 60,
      contentType: "text/plain",
      responseTopic: "status/replies",
      correlationData: Uint8Array.of(0, 255),
      userProperties: [
        ["a", "1"],
        ["a", "1"],
      ],
    },
  };
}

/** An empty version-1 snapshot. */
export function emptySnapshot(): SessionSnapshot {
  return {
    version: SESSION_SNAPSHOT_VERSION,
    outbound: { inflight: [], queued: [], nextPacketId: 1 },
    inbound: { awaitingPubrel: [] },
  };
}

/** A 3.1.1-style record: no optional field set, empty delivery state. */
export function minimalRecord(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    sessionExpiryInterval: 0xffff_ffff,
    subscriptions: [],
    snapshot: emptySnapshot(),
  };
}

/** A 5.0 record with every field set and every inflight state. */
export function fullRecord(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_123_456,
    sessionExpiryInterval: 3_600,
    disconnectedAt: 1_700_000_100_000,
    subscriptions: [
      { topicFilter: "sensors/+/temperature", qos: 1 },
      {
        topicFilter: "capteurs/#",
        qos: 2,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        subscriptionIdentifier: 268_435_455,
      },
      { topicFilter: "$SYS/broker/#", qos: 0, noLocal: false, retainHandling: 0 },
    ],
    will: fullWill(),
    snapshot: {
      version: SESSION_SNAPSHOT_VERSION,
      outbound: {
        inflight: [
          { packetId: 65_535, state: "awaiting-puback", message: fullMessage() },
          { packetId: 1, state: "awaiting-pubrec", message: message("a/b", numberedPayload(1)) },
          { packetId: 7, state: "awaiting-pubcomp" },
        ],
        queued: [
          fullMessage(),
          message("q/0", new Uint8Array(0), { qos: 0 }),
          message("q/2", numberedPayload(2), { qos: 2, retain: true }),
        ],
        nextPacketId: 8,
      },
      inbound: { awaitingPubrel: [300, 2, 65_535] },
    },
  };
}

export function retained(
  topic: string,
  payload: Uint8Array = numberedPayload(topic.length),
): RetainedMessage {
  return { topic, payload, qos: 1, retain: true, receivedAt: 1_700_000_000_000 };
}

/** A retained message with every field set. */
export function fullRetained(): RetainedMessage {
  return { ...fullMessage(), receivedAt: 1_700_000_000_321 };
}
