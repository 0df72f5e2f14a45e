/**
 * fast-check arbitraries of packets in the decoder's normal form, for every packet type at
 * every protocol level, plus the normalisation the encoder applies (shortest 5.0 tails).
 */
import type {
  AllProperties,
  Packet,
  ProtocolVersion,
  PublishPacket,
  QoS,
  UserProperty,
} from "@ternmq/codec";
import fc from "fast-check";

export const LEVELS: readonly ProtocolVersion[] = [3, 4, 5];

/** Any Unicode text MQTT allows: mostly ASCII, some multi-byte and astral; no U+0000. */
const text = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  )
  .map((value) => value.replaceAll("\0", "_"));

const bytes = (maxLength = 24) => fc.uint8Array({ maxLength });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const qos = fc.constantFrom<QoS>(0, 1, 2);
const packetId = fc.integer({ min: 1, max: 0xffff });
const subscriptionIdentifier = fc.integer({ min: 1, max: 268_435_455 });

/** User properties in wire order, with repeated names and repeated pairs. */
const userProperties: fc.Arbitrary<UserProperty[]> = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(fc.constantFrom("k", "region"), text), text), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.boolean(),
  )
  .map(([pairs, repeat]) => {
    const list: UserProperty[] = pairs.map(([name, value]) => [name, value] as const);
    const first = list[0];
    if (repeat && first !== undefined) list.push(first);
    return list;
  });

/** Arbitraries of every property, by name. */
const propertyArbitraries = {
  payloadFormatIndicator: fc.constantFrom<0 | 1>(0, 1),
  messageExpiryInterval: u32,
  contentType: text,
  responseTopic: text,
  correlationData: bytes(),
  subscriptionIdentifiers: fc.array(subscriptionIdentifier, { minLength: 1, maxLength: 3 }),
  sessionExpiryInterval: u32,
  assignedClientIdentifier: text,
  serverKeepAlive: u16,
  authenticationMethod: text,
  authenticationData: bytes(),
  requestProblemInformation: fc.boolean(),
  willDelayInterval: u32,
  requestResponseInformation: fc.boolean(),
  responseInformation: text,
  serverReference: text,
  reasonString: text,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
  topicAliasMaximum: u16,
  topicAlias: fc.integer({ min: 1, max: 0xffff }),
  maximumQoS: fc.constantFrom<0 | 1>(0, 1),
  retainAvailable: fc.boolean(),
  userProperties,
  maximumPacketSize: fc.integer({ min: 1, max: 0xffff_ffff }),
  wildcardSubscriptionAvailable: fc.boolean(),
  subscriptionIdentifiersAvailable: fc.boolean(),
  sharedSubscriptionAvailable: fc.boolean(),
} satisfies { [K in keyof AllProperties]-?: fc.Arbitrary<NonNullable<AllProperties[K]>> };

type PropertyName = keyof typeof propertyArbitraries;

/**
 * A random subset of the named properties (absent keys, never `undefined` values).
 * Authentication data comes only with an authentication method (5.0 section 3.1.2.11.10).
 */
function properties<N extends PropertyName>(...names: N[]): fc.Arbitrary<Pick<AllProperties, N>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = propertyArbitraries[name];
  return fc.record(model, { requiredKeys: [] }).map((record) => {
    const result: AllProperties = record;
    if (result.authenticationData !== undefined && result.authenticationMethod === undefined) {
      delete result.authenticationData;
    }
    return result as Pick<AllProperties, N>;
  });
}

const ACK_PROPERTIES = ["reasonString", "userProperties"] as const;

function connect(level: ProtocolVersion): fc.Arbitrary<Packet> {
  const will = fc.record(
    {
      topic: text,
      payload: bytes(),
      qos,
      retain: fc.boolean(),
      ...(level === 5
        ? {
            properties: properties(
              "willDelayInterval",
              "payloadFormatIndicator",
              "messageExpiryInterval",
              "contentType",
              "responseTopic",
              "correlationData",
              "userProperties",
            ),
          }
        : {}),
    },
    {
      requiredKeys: [
        "topic",
        "payload",
        "qos",
        "retain",
        ...(level === 5 ? ["properties" as const] : []),
      ],
    },
  );
  return fc
    .record(
      {
        clientId: text,
        clean: fc.boolean(),
        keepalive: u16,
        will,
        username: text,
        password: bytes(),
        ...(level === 5
          ? {
              properties: properties(
                "sessionExpiryInterval",
                "receiveMaximum",
                "maximumPacketSize",
                "topicAliasMaximum",
                "requestResponseInformation",
                "requestProblemInformation",
                "userProperties",
                "authenticationMethod",
                "authenticationData",
              ),
            }
          : {}),
      },
      {
        requiredKeys: [
          "clientId",
          "clean",
          "keepalive",
          ...(level === 5 ? ["properties" as const] : []),
        ],
      },
    )
    .map((fields) => {
      const packet = { type: "connect" as const, protocolVersion: level, ...fields };
      // [MQTT-3.1.2-22]: below 5.0 a password needs a user name.
      if (level < 5 && packet.username === undefined) delete packet.password;
      return packet as Packet;
    });
}

function connack(level: ProtocolVersion): fc.Arbitrary<Packet> {
  const codes = level === 5 ? [0x00, 0x80, 0x84, 0x87, 0x9f] : [0, 1, 2, 3, 4, 5];
  return fc
    .record({
      sessionPresent: fc.boolean(),
      reasonCode: fc.constantFrom(...codes),
      properties: properties(
        "sessionExpiryInterval",
        "receiveMaximum",
        "maximumQoS",
        "retainAvailable",
        "maximumPacketSize",
        "assignedClientIdentifier",
        "topicAliasMaximum",
        "reasonString",
        "userProperties",
        "wildcardSubscriptionAvailable",
        "subscriptionIdentifiersAvailable",
        "sharedSubscriptionAvailable",
        "serverKeepAlive",
        "responseInformation",
        "serverReference",
        "authenticationMethod",
        "authenticationData",
      ),
    })
    .map(({ properties: props, ...rest }) =>
      level === 5 ? { type: "connack", ...rest, properties: props } : { type: "connack", ...rest },
    );
}

export const publishProperties = properties(
  "payloadFormatIndicator",
  "messageExpiryInterval",
  "topicAlias",
  "responseTopic",
  "correlationData",
  "userProperties",
  "subscriptionIdentifiers",
  "contentType",
);

/**
 * A PUBLISH at `level`; one a client sends carries no subscription identifier
 * ([MQTT-3.3.4-6]).
 */
export function publish(
  level: ProtocolVersion,
  sender: "client" | "server",
): fc.Arbitrary<PublishPacket> {
  return fc
    .record({
      topic: text,
      payload: bytes(64),
      qos,
      retain: fc.boolean(),
      dup: fc.boolean(),
      packetId,
      properties: publishProperties,
    })
    .map(({ topic, payload, qos: level_qos, retain, dup, packetId: id, properties: props }) => {
      const base: PublishPacket = {
        type: "publish",
        topic,
        payload,
        qos: level_qos,
        retain,
        dup: false,
      };
      if (level_qos > 0) {
        base.dup = dup;
        base.packetId = id;
      }
      if (level === 5) {
        const { subscriptionIdentifiers, ...rest } = props;
        base.properties = sender === "server" ? props : rest;
      }
      return base;
    });
}

/** A 5.0 reason code tail in any of its forms (normalised later). */
function reasonTail(codes: readonly number[], names: readonly PropertyName[]) {
  return fc.record(
    { reasonCode: fc.constantFrom(...codes), properties: properties(...names) },
    { requiredKeys: [] },
  );
}

function pubAck(type: "puback" | "pubrec" | "pubrel" | "pubcomp", level: ProtocolVersion) {
  const codes = type === "puback" || type === "pubrec" ? [0x00, 0x10, 0x80, 0x97] : [0x00, 0x92];
  return fc
    .record({ packetId, tail: reasonTail(codes, ACK_PROPERTIES) })
    .map(({ packetId: id, tail }) =>
      level === 5
        ? ({ type, packetId: id, ...tail } as Packet)
        : ({ type, packetId: id } as Packet),
    );
}

function subscribe(level: ProtocolVersion): fc.Arbitrary<Packet> {
  const subscription =
    level === 5
      ? fc.record({
          topicFilter: text,
          qos,
          noLocal: fc.boolean(),
          retainAsPublished: fc.boolean(),
          retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
        })
      : fc.record({ topicFilter: text, qos });
  return fc
    .record({
      packetId,
      subscriptions: fc.array(subscription, { minLength: 1, maxLength: 4 }),
      properties: fc.record(
        {
          subscriptionIdentifiers: fc.array(subscriptionIdentifier, { minLength: 1, maxLength: 1 }),
          userProperties,
        },
        { requiredKeys: [] },
      ),
    })
    .map(({ properties: props, ...rest }) =>
      level === 5
        ? { type: "subscribe", ...rest, properties: props }
        : { type: "subscribe", ...rest },
    );
}

function suback(level: ProtocolVersion): fc.Arbitrary<Packet> {
  const codes = level === 5 ? [0x00, 0x01, 0x02, 0x80, 0x87, 0xa2] : [0, 1, 2, 0x80];
  return fc
    .record({
      packetId,
      reasonCodes: fc.array(fc.constantFrom(...codes), { minLength: 1, maxLength: 5 }),
      properties: properties(...ACK_PROPERTIES),
    })
    .map(({ properties: props, ...rest }) =>
      level === 5 ? { type: "suback", ...rest, properties: props } : { type: "suback", ...rest },
    );
}

function unsubscribe(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record({
      packetId,
      topicFilters: fc.array(text, { minLength: 1, maxLength: 4 }),
      properties: properties("userProperties"),
    })
    .map(({ properties: props, ...rest }) =>
      level === 5
        ? { type: "unsubscribe", ...rest, properties: props }
        : { type: "unsubscribe", ...rest },
    );
}

function unsuback(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record({
      packetId,
      reasonCodes: fc.array(fc.constantFrom(0x00, 0x11, 0x80, 0x8f), {
        minLength: 1,
        maxLength: 5,
      }),
      properties: properties(...ACK_PROPERTIES),
    })
    .map(({ packetId: id, reasonCodes, properties: props }) =>
      level === 5
        ? { type: "unsuback", packetId: id, reasonCodes, properties: props }
        : { type: "unsuback", packetId: id },
    );
}

function disconnect(level: ProtocolVersion): fc.Arbitrary<Packet> {
  if (level < 5) return fc.constant({ type: "disconnect" });
  return reasonTail(
    [0x00, 0x04, 0x81, 0x8e, 0xa2],
    ["sessionExpiryInterval", "reasonString", "userProperties", "serverReference"],
  ).map((tail) => ({ type: "disconnect", ...tail }));
}

function auth(): fc.Arbitrary<Packet> {
  return reasonTail(
    [0x00, 0x18, 0x19],
    ["authenticationMethod", "authenticationData", "reasonString", "userProperties"],
  ).map((tail) => ({ type: "auth", ...tail }));
}

/** Packets a client sends at `level` (CONNECT excluded). */
export function clientPacket(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc.oneof(
    publish(level, "client"),
    pubAck("puback", level),
    pubAck("pubrec", level),
    pubAck("pubrel", level),
    pubAck("pubcomp", level),
    subscribe(level),
    unsubscribe(level),
    fc.constant<Packet>({ type: "pingreq" }),
    disconnect(level),
    ...(level === 5 ? [auth()] : []),
  );
}

/** Packets a server sends at `level`. */
export function serverPacket(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc.oneof(
    connack(level),
    publish(level, "server"),
    pubAck("puback", level),
    pubAck("pubrec", level),
    pubAck("pubrel", level),
    pubAck("pubcomp", level),
    suback(level),
    unsuback(level),
    fc.constant<Packet>({ type: "pingresp" }),
    disconnect(level),
    ...(level === 5 ? [auth()] : []),
  );
}

export { connect as connectPacket };

/** Any packet of `level`, CONNECT included. */
export function anyPacket(level: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc.oneof(connect(level), clientPacket(level), serverPacket(level));
}

/**
 * The packet `decode(encode(packet))` yields: the encoder writes 5.0 reason code tails in their
 * shortest form (section 3.4.2.1), so a 0x00 reason code without properties disappears, and
 * properties without content disappear after a non-zero reason code.
 */
export function normalForm(packet: Packet, level: ProtocolVersion): Packet {
  if (level < 5) return packet;
  switch (packet.type) {
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
    case "disconnect":
    case "auth": {
      const { reasonCode, properties: props, ...rest } = packet;
      if (props !== undefined && Object.keys(props).length > 0) {
        return { ...rest, reasonCode: reasonCode ?? 0, properties: props } as Packet;
      }
      if ((reasonCode ?? 0) !== 0) return { ...rest, reasonCode } as Packet;
      return rest as Packet;
    }
    default:
      return packet;
  }
}

/**
 * Deep copy for `toStrictEqual`: byte views become plain Uint8Arrays (decoded fields may be
 * Buffer views) and objects keep exactly their keys.
 */
export function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) copy[key] = plain(entry);
    return copy;
  }
  return value;
}
