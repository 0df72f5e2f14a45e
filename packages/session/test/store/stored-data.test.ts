/**
 * The helpers durable stores share: the stored-message bytes (a persisted format: these
 * tests pin it, so SQLite files and Redis data written earlier keep decoding), the record
 * JSON and the change validation.
 */
import type { Will } from "@ternmq/codec";
import {
  decodeStoredMessage,
  encodeStoredMessage,
  type SessionMessage,
  StoreError,
  subscriptionsFromJson,
  subscriptionsToJson,
  validateSessionChanges,
  willFromJson,
  willToJson,
} from "@ternmq/session";
import { describe, expect, it } from "vitest";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

const qos1Message: SessionMessage = {
  topic: "a/b",
  payload: new TextEncoder().encode("hi"),
  qos: 1,
  retain: false,
};

const messageWithProperties: SessionMessage = {
  topic: "t",
  payload: Uint8Array.of(0, 255),
  qos: 0,
  retain: true,
  properties: {
    contentType: "x",
    correlationData: Uint8Array.of(1, 2, 3),
    userProperties: [["k", "v"]],
  },
};

describe("stored message bytes", () => {
  it.each([
    // format 4, PUBLISH QoS 1 (0x32), length 9, topic "a/b", placeholder id 1, "hi"
    ["without properties", qos1Message, undefined, "0432090003612f6200016869"],
    // format 5, PUBLISH QoS 0 RETAIN (0x31), topic "t", properties 3 / 9 / 38, payload 00 ff
    [
      "with properties",
      messageWithProperties,
      undefined,
      "05311700017411030001780900030102032600016b00017600ff",
    ],
    [
      "with an empty topic (retained)",
      messageWithProperties,
      "",
      "053116000011030001780900030102032600016b00017600ff",
    ],
    [
      "QoS 2 with an empty property bag",
      { topic: "q", payload: new Uint8Array(0), qos: 2, retain: false, properties: {} },
      undefined,
      "053406000171000100",
    ],
  ] as const)("keeps the persisted layout of a message %s", (_name, message, topic, expected) => {
    const bytes = encodeStoredMessage(message, topic);
    expect(hex(bytes)).toBe(expected);
    const decoded = decodeStoredMessage(
      fromHex(expected),
      0,
      topic === "" ? message.topic : undefined,
    );
    expect(decoded).toEqual(message);
  });

  it("leaves headerBytes of room in front and decodes from that offset", () => {
    const bytes = encodeStoredMessage(
      qos1Message,
      qos1Message.topic,
      8,
      (size) => new Uint8Array(size),
    );
    expect(hex(bytes)).toBe(`${"00".repeat(8)}0432090003612f6200016869`);
    expect(decodeStoredMessage(bytes, 8)).toEqual(qos1Message);
  });

  it("returns what the allocator made", () => {
    class Tagged extends Uint8Array {}
    expect(encodeStoredMessage(qos1Message, "a/b", 0, (size) => new Tagged(size))).toBeInstanceOf(
      Tagged,
    );
  });

  it("keeps a message without properties without them", () => {
    const decoded = decodeStoredMessage(encodeStoredMessage(qos1Message));
    expect("properties" in decoded).toBe(false);
  });

  it("reports bytes that are not a stored message through onError", () => {
    const corrupt = (what: string, cause: unknown) =>
      new StoreError("MQTT_ERR_STORE_CORRUPT", `${what} does not decode`, { cause });
    for (const bytes of [Uint8Array.of(5, 0xff, 0xff), Uint8Array.of(9), new Uint8Array(0)]) {
      expect(() => decodeStoredMessage(bytes, 0, undefined, corrupt)).toThrow(
        expect.objectContaining({ code: "MQTT_ERR_STORE_CORRUPT" }),
      );
      expect(() => decodeStoredMessage(bytes)).toThrow(TypeError);
    }
  });

  it("rejects a message that is not a valid PUBLISH when encoding", () => {
    const qos3 = { ...qos1Message, qos: 3 } as unknown as SessionMessage;
    expect(() => encodeStoredMessage(qos3)).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_INVALID_PACKET" }),
    );
  });
});

describe("record JSON", () => {
  it("round-trips a will with payload and correlation data bytes", () => {
    const will: Will = {
      topic: "w",
      payload: Uint8Array.of(1, 2, 250),
      qos: 1,
      retain: false,
      properties: { correlationData: Uint8Array.of(9), willDelayInterval: 5 },
    };
    const text = willToJson(will);
    expect(JSON.parse(text)).toMatchObject({ payload: { $bytes: "AQL6" } });
    expect(willFromJson(text)).toEqual(will);
  });

  it("stores bytes whose toJSON would change them (a Node Buffer) as $bytes", () => {
    class JsonListBytes extends Uint8Array {
      toJSON() {
        return { type: "Buffer", data: Array.from(this) };
      }
    }
    const will: Will = { topic: "w", payload: JsonListBytes.of(7, 8), qos: 0, retain: false };
    expect(willFromJson(willToJson(will)).payload).toEqual(Uint8Array.of(7, 8));
  });

  it("round-trips a subscription list", () => {
    const subscriptions = [
      { topicFilter: "a/#", qos: 1 as const },
      { topicFilter: "b/+", qos: 2 as const, noLocal: true, subscriptionIdentifier: 4 },
    ];
    expect(subscriptionsFromJson(subscriptionsToJson(subscriptions))).toEqual(subscriptions);
  });

  it("reports text that is not JSON through onError", () => {
    const corrupt = (what: string, cause: unknown) =>
      new StoreError("MQTT_ERR_STORE_CORRUPT", `${what} does not decode`, { cause });
    expect(() => willFromJson("{", corrupt)).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_STORE_CORRUPT" }),
    );
    expect(() => subscriptionsFromJson("[", corrupt)).toThrow(
      expect.objectContaining({ code: "MQTT_ERR_STORE_CORRUPT" }),
    );
    expect(() => willFromJson('{"payload":{"$bytes":"A"}}')).toThrow(TypeError);
  });
});

describe("validateSessionChanges", () => {
  const invalid = expect.objectContaining({
    code: "MQTT_ERR_STORE_INVALID_CHANGE",
    clientId: "c1",
  });

  it.each([
    ["a dequeue that is not a count", { dequeue: -1 }],
    ["a dequeue that is not an integer", { dequeue: 1.5 }],
    ["[MQTT-2.2.1-3] a nextPacketId of 0", { nextPacketId: 0 }],
    ["a nextPacketId over 65535", { nextPacketId: 65536 }],
    ["a removeInflight id of 0", { removeInflight: [1, 0] }],
    [
      "a putInflight id over 65535",
      { putInflight: [{ packetId: 70000, state: "awaiting-pubcomp" as const }] },
    ],
    ["a removeAwaitingPubrel id that is not an integer", { removeAwaitingPubrel: [2.5] }],
    ["an addAwaitingPubrel id of -1", { addAwaitingPubrel: [-1] }],
  ])("rejects %s", (_name, changes) => {
    expect(() => validateSessionChanges("c1", changes)).toThrow(invalid);
  });

  it("rejects a dequeue beyond the queued count only when the count is given", () => {
    expect(() => validateSessionChanges("c1", { dequeue: 3 }, 2)).toThrow(invalid);
    expect(() => validateSessionChanges("c1", { dequeue: 3 })).not.toThrow();
  });

  it("accepts a valid change", () => {
    const changes = {
      dequeue: 2,
      nextPacketId: 65535,
      removeInflight: [1],
      putInflight: [{ packetId: 65535, state: "awaiting-pubcomp" as const }],
      removeAwaitingPubrel: [7],
      addAwaitingPubrel: [8],
    };
    expect(() => validateSessionChanges("c1", changes, 2)).not.toThrow();
  });
});
