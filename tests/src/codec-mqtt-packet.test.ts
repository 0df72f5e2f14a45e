/**
 * Interop of @ternmq/codec with mqtt-packet, the codec inside MQTT.js and Aedes.
 *
 * Two independent implementations of the same wire format must agree byte for byte:
 * what TernMQ encodes, mqtt-packet parses into the same packet, and what mqtt-packet
 * generates, TernMQ decodes into the same packet. Random packets (fast-check) cover
 * MQTT 3.1, 3.1.1 and the 5.0 properties that both object models can express.
 */
import {
  Decoder,
  encode,
  type Packet,
  type ProtocolVersion,
  type PublishProperties,
  type QoS,
  type Subscription,
} from "@ternmq/codec";
import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";

type PeerPacket = mqttPacket.Packet;

const qos = fc.constantFrom<QoS>(0, 1, 2);
const packetId = fc.integer({ min: 1, max: 0xffff });
// Strings both codecs accept: valid UTF-8 without U+0000 (surrogates cannot occur in fc.string).
const text = fc
  .string({ unit: "grapheme", maxLength: 20 })
  .filter((value) => !value.includes("\0"));
const nonEmptyText = text.filter((value) => value.length > 0);
const bytes = fc.uint8Array({ maxLength: 64 });
const buffer = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** PUBLISH properties that mqtt-packet represents one to one (no user properties: it keys them by name). */
const publishProperties: fc.Arbitrary<PublishProperties> = fc.record(
  {
    payloadFormatIndicator: fc.constantFrom<0 | 1>(0, 1),
    messageExpiryInterval: fc.integer({ min: 0, max: 0xffffffff }),
    contentType: text,
    responseTopic: nonEmptyText,
    correlationData: bytes,
  },
  { requiredKeys: [] },
);

function packets(level: ProtocolVersion): fc.Arbitrary<Packet> {
  const publish = fc
    .record({
      topic: nonEmptyText,
      payload: bytes,
      qos,
      retain: fc.boolean(),
      dup: fc.boolean(),
      packetId,
      properties: publishProperties,
    })
    .map(({ packetId: id, dup, properties, ...rest }): Packet => {
      const base = { type: "publish" as const, ...rest, dup: rest.qos > 0 && dup };
      const withId = rest.qos > 0 ? { ...base, packetId: id } : base;
      return level === 5 ? { ...withId, properties } : withId;
    });
  const subscription: fc.Arbitrary<Subscription> = fc.record({ topicFilter: nonEmptyText, qos });
  const acks = fc
    .tuple(fc.constantFrom("puback", "pubrec", "pubrel", "pubcomp"), packetId)
    .map(([type, id]) => ({ type, packetId: id }) as Packet);
  return fc.oneof(
    publish,
    acks,
    fc.record({
      type: fc.constant("subscribe" as const),
      packetId,
      subscriptions: fc.array(subscription, { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant("unsubscribe" as const),
      packetId,
      topicFilters: fc.array(nonEmptyText, { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant("suback" as const),
      packetId,
      reasonCodes: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant("connack" as const),
      sessionPresent: fc.boolean(),
      // 3.1.1 return codes 0-5 [MQTT-3.2.2-3]; 5.0 uses 0 or a failure reason code >= 0x80.
      reasonCode:
        level === 5 ? fc.constantFrom(0, 0x80, 0x84, 0x87) : fc.integer({ min: 0, max: 5 }),
    }),
    fc.constant({ type: "pingreq" as const }),
    fc.constant({ type: "pingresp" as const }),
    connectPacket(level),
  );
}

function connectPacket(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record(
      {
        clientId: nonEmptyText,
        clean: fc.boolean(),
        keepalive: fc.integer({ min: 0, max: 0xffff }),
        username: text,
        password: bytes,
        will: fc.record({ topic: nonEmptyText, payload: bytes, qos, retain: fc.boolean() }),
      },
      { requiredKeys: ["clientId", "clean", "keepalive"] },
    )
    .map(({ password, ...rest }) => ({
      type: "connect" as const,
      protocolVersion: level,
      ...rest,
      // 3.1 and 3.1.1 allow a password only together with a user name [MQTT-3.1.2-22].
      ...(password !== undefined && rest.username !== undefined ? { password } : {}),
    }));
}

/** TernMQ's packet model -> mqtt-packet's object model. */
function toPeer(packet: Packet, level: ProtocolVersion): PeerPacket {
  switch (packet.type) {
    case "connect": {
      const { will, password, username } = packet;
      return {
        cmd: "connect",
        protocolId: level === 3 ? "MQIsdp" : "MQTT",
        protocolVersion: level,
        clientId: packet.clientId,
        clean: packet.clean,
        keepalive: packet.keepalive,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password: buffer(password) } : {}),
        ...(will
          ? {
              will: {
                topic: will.topic,
                payload: buffer(will.payload),
                qos: will.qos,
                retain: will.retain,
              },
            }
          : {}),
      };
    }
    case "connack":
      return level === 5
        ? { cmd: "connack", sessionPresent: packet.sessionPresent, reasonCode: packet.reasonCode }
        : { cmd: "connack", sessionPresent: packet.sessionPresent, returnCode: packet.reasonCode };
    case "publish": {
      const { properties } = packet;
      return {
        cmd: "publish",
        topic: packet.topic,
        payload: buffer(packet.payload),
        qos: packet.qos,
        dup: packet.dup,
        retain: packet.retain,
        ...(packet.packetId !== undefined ? { messageId: packet.packetId } : {}),
        ...(properties
          ? {
              properties: {
                ...properties,
                ...(properties.payloadFormatIndicator !== undefined
                  ? { payloadFormatIndicator: properties.payloadFormatIndicator === 1 }
                  : {}),
                ...(properties.correlationData
                  ? { correlationData: buffer(properties.correlationData) }
                  : {}),
              } as NonNullable<mqttPacket.IPublishPacket["properties"]>,
            }
          : {}),
      };
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return { cmd: packet.type, messageId: packet.packetId };
    case "subscribe":
      return {
        cmd: "subscribe",
        messageId: packet.packetId,
        subscriptions: packet.subscriptions.map((entry) => ({
          topic: entry.topicFilter,
          qos: entry.qos,
        })),
      };
    case "suback":
      return { cmd: "suback", messageId: packet.packetId, granted: [...packet.reasonCodes] };
    case "unsubscribe":
      return {
        cmd: "unsubscribe",
        messageId: packet.packetId,
        unsubscriptions: [...packet.topicFilters],
      };
    case "pingreq":
    case "pingresp":
      return { cmd: packet.type };
    default:
      throw new Error(`no mqtt-packet mapping for ${packet.type}`);
  }
}

/** Parses with mqtt-packet and maps back to TernMQ's model, so both sides compare as one. */
function parseWithPeer(data: Uint8Array, level: ProtocolVersion): PeerPacket[] {
  const parser = mqttPacket.parser({ protocolVersion: level });
  const parsed: PeerPacket[] = [];
  const errors: unknown[] = [];
  parser.on("packet", (packet) => parsed.push(packet));
  parser.on("error", (error) => errors.push(error));
  parser.parse(buffer(data));
  expect(errors).toEqual([]);
  return parsed;
}

function decodeWithTernmq(data: Uint8Array, level: ProtocolVersion): Packet[] {
  const decoder = new Decoder({ role: "client", protocolVersion: level });
  const serverDecoder = new Decoder({ role: "server" });
  // CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ travel client -> server; the rest either way
  // or server -> client. Decode with the role that receives the packet.
  const type = (data[0] ?? 0) >> 4;
  const receivedByServer = type === 1 || type === 8 || type === 10 || type === 12;
  const target = receivedByServer ? serverDecoder : decoder;
  if (receivedByServer && type !== 1) {
    // A server decoder learns the level from CONNECT first.
    target.push(encode(probeConnect(level), { protocolVersion: level }));
    target.next();
  }
  target.push(data);
  const decoded: Packet[] = [];
  for (let packet = target.next(); packet !== undefined; packet = target.next()) {
    decoded.push(packet);
  }
  return decoded;
}

function probeConnect(level: ProtocolVersion): Packet {
  return { type: "connect", protocolVersion: level, clientId: "probe", clean: true, keepalive: 0 };
}

/** mqtt-packet's object model -> TernMQ's, for the packet kinds generated above. */
function fromPeer(peer: PeerPacket): Packet {
  switch (peer.cmd) {
    case "connect": {
      const { will } = peer;
      return {
        type: "connect",
        protocolVersion: peer.protocolVersion ?? 4,
        clientId: peer.clientId,
        clean: peer.clean ?? true,
        keepalive: peer.keepalive ?? 0,
        ...(peer.username !== undefined ? { username: peer.username } : {}),
        ...(peer.password !== undefined ? { password: new Uint8Array(peer.password) } : {}),
        ...(will
          ? {
              will: {
                topic: will.topic,
                payload: new Uint8Array(Buffer.from(will.payload)),
                qos: will.qos ?? 0,
                retain: will.retain ?? false,
              },
            }
          : {}),
      };
    }
    case "connack":
      return {
        type: "connack",
        sessionPresent: peer.sessionPresent,
        reasonCode: peer.reasonCode ?? peer.returnCode ?? 0,
      };
    case "publish": {
      const properties = peer.properties;
      return {
        type: "publish",
        topic: peer.topic,
        payload: new Uint8Array(Buffer.from(peer.payload)),
        qos: peer.qos,
        retain: peer.retain,
        dup: peer.dup,
        ...(peer.qos > 0 && peer.messageId !== undefined ? { packetId: peer.messageId } : {}),
        ...(properties
          ? {
              properties: {
                ...properties,
                ...(properties.payloadFormatIndicator !== undefined
                  ? { payloadFormatIndicator: properties.payloadFormatIndicator ? 1 : 0 }
                  : {}),
                ...(properties.correlationData
                  ? { correlationData: new Uint8Array(properties.correlationData) }
                  : {}),
              } as PublishProperties,
            }
          : {}),
      };
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return { type: peer.cmd, packetId: peer.messageId ?? 0 };
    case "subscribe":
      return {
        type: "subscribe",
        packetId: peer.messageId ?? 0,
        subscriptions: peer.subscriptions.map((entry) => ({
          topicFilter: entry.topic,
          qos: entry.qos,
        })),
      };
    case "suback":
      return {
        type: "suback",
        packetId: peer.messageId ?? 0,
        reasonCodes: peer.granted.map(Number),
      };
    case "unsubscribe":
      return {
        type: "unsubscribe",
        packetId: peer.messageId ?? 0,
        topicFilters: peer.unsubscriptions,
      };
    case "pingreq":
    case "pingresp":
      return { type: peer.cmd };
    default:
      throw new Error(`no TernMQ mapping for ${peer.cmd}`);
  }
}

/**
 * Drops what the wire cannot tell apart from absence, so that the two models compare equal:
 * an empty 5.0 property set, a Success (0) reason code on acknowledgements, 5.0 subscription
 * options at their defaults.
 */
function normalised(packet: Packet): Packet {
  const copy: Record<string, unknown> = { ...packet };
  if (copy.properties && Object.values(copy.properties).every((value) => value === undefined)) {
    delete copy.properties;
  }
  if (copy.reasonCode === 0 && packet.type !== "connack") delete copy.reasonCode;
  if (packet.type === "subscribe") {
    copy.subscriptions = packet.subscriptions.map(({ topicFilter, qos: granted }) => ({
      topicFilter,
      qos: granted,
    }));
  }
  if (packet.type === "connect" && packet.will) {
    const { properties: _properties, ...will } = packet.will;
    copy.will = { ...will, payload: new Uint8Array(will.payload) };
  }
  // Buffer and Uint8Array views of the same bytes compare as plain Uint8Array copies.
  for (const key of ["payload", "password"]) {
    if (copy[key] instanceof Uint8Array) copy[key] = new Uint8Array(copy[key]);
  }
  if (packet.type === "publish" && packet.properties?.correlationData) {
    copy.properties = {
      ...packet.properties,
      correlationData: new Uint8Array(packet.properties.correlationData),
    };
  }
  return copy as unknown as Packet;
}

describe.each([3, 4, 5] as const)("codec interop with mqtt-packet at level %i", (level) => {
  it("mqtt-packet parses every packet TernMQ encodes into the same packet", () => {
    fc.assert(
      fc.property(packets(level), (packet) => {
        const parsed = parseWithPeer(encode(packet, { protocolVersion: level }), level);
        expect(parsed.map((entry) => normalised(fromPeer(entry)))).toEqual([normalised(packet)]);
      }),
      { numRuns: 300 },
    );
  });

  it("TernMQ decodes every packet mqtt-packet generates into the same packet", () => {
    fc.assert(
      fc.property(packets(level), (packet) => {
        const generated = mqttPacket.generate(toPeer(packet, level), { protocolVersion: level });
        const decoded = decodeWithTernmq(generated, level);
        expect(decoded.map(normalised)).toEqual([normalised(packet)]);
        // Below 5.0 every packet has exactly one encoding, so the two encoders agree byte for
        // byte (5.0 lets acknowledgements omit a Success reason code; the codecs differ there).
        if (level < 5) {
          expect(Buffer.from(encode(packet, { protocolVersion: level })).toString("hex")).toBe(
            generated.toString("hex"),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
