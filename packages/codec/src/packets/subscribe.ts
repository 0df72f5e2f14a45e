/**
 * SUBSCRIBE (section 3.8): packet identifier, 5.0 properties, then one or more topic filters
 * each with a subscription options byte (below 5.0: only the requested QoS).
 */

import type { ByteReader } from "../byte-reader.js";
import { stringFieldLength, writeString, writeU8 } from "../byte-writer.js";
import { codecError, invalidPacket } from "../errors.js";
import { decodeProperties } from "../properties.js";
import type { ProtocolVersion, QoS, SubscribePacket, Subscription } from "../types.js";
import { idAndPropertiesLength, writeIdAndProperties } from "./id-and-properties.js";

const NO_LOCAL = 0x04;
const RETAIN_AS_PUBLISHED = 0x08;

export function decodeSubscribe(reader: ByteReader, level: ProtocolVersion): SubscribePacket {
  const packetId = reader.packetId();
  const properties = level === 5 ? decodeProperties(reader, "subscribe") : undefined;
  const subscriptions: Subscription[] = [];
  while (reader.remaining > 0) {
    const topicFilter = reader.utf8("topic filter");
    subscriptions.push(decodeOptions(topicFilter, reader.u8("subscription options"), level));
  }
  if (subscriptions.length === 0) {
    throw codecError(
      "MQTT_ERR_EMPTY_SUBSCRIBE",
      "SUBSCRIBE without a topic filter",
      "MQTT-3.8.3-3",
    );
  }
  if (properties === undefined) return { type: "subscribe", packetId, subscriptions };
  return { type: "subscribe", packetId, subscriptions, properties };
}

function decodeOptions(topicFilter: string, options: number, level: ProtocolVersion): Subscription {
  const qos = options & 3;
  if (qos === 3) {
    throw codecError("MQTT_ERR_INVALID_QOS", "subscription with QoS 3", "MQTT-3.8.3-4");
  }
  const reservedBits = level === 5 ? 0xc0 : 0xfc;
  if ((options & reservedBits) !== 0) {
    throw codecError(
      "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
      "reserved bits of the subscription options are set",
      "MQTT-3.8.3-4",
    );
  }
  if (level < 5) return { topicFilter, qos: qos as QoS };
  const retainHandling = (options >> 4) & 3;
  if (retainHandling === 3) {
    throw codecError(
      "MQTT_ERR_SUBSCRIPTION_OPTIONS_RESERVED",
      "retain handling 3 is reserved",
      "MQTT-3.8.3-4",
    );
  }
  return {
    topicFilter,
    qos: qos as QoS,
    noLocal: (options & NO_LOCAL) !== 0,
    retainAsPublished: (options & RETAIN_AS_PUBLISHED) !== 0,
    retainHandling: retainHandling as 0 | 1 | 2,
  };
}

function optionsByte(subscription: Subscription, index: number, level: ProtocolVersion): number {
  if (typeof subscription !== "object" || subscription === null) {
    throw invalidPacket("subscriptions[#]", "must be an object", index);
  }
  const { qos, noLocal, retainAsPublished, retainHandling } = subscription;
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw invalidPacket("subscriptions[#].qos", "must be 0, 1 or 2", index);
  }
  if (level < 5) {
    if (noLocal === true || retainAsPublished === true || (retainHandling ?? 0) !== 0) {
      throw invalidPacket(
        "subscriptions[#]",
        "noLocal, retainAsPublished and retainHandling need MQTT 5.0",
        index,
      );
    }
    return qos;
  }
  if (
    retainHandling !== undefined &&
    retainHandling !== 0 &&
    retainHandling !== 1 &&
    retainHandling !== 2
  ) {
    throw invalidPacket("subscriptions[#].retainHandling", "must be 0, 1 or 2", index);
  }
  return (
    qos |
    (noLocal === true ? NO_LOCAL : 0) |
    (retainAsPublished === true ? RETAIN_AS_PUBLISHED : 0) |
    ((retainHandling ?? 0) << 4)
  );
}

export function measureSubscribe(packet: SubscribePacket, level: ProtocolVersion): number {
  let length = idAndPropertiesLength(packet.packetId, packet.properties, "subscribe", level);
  const subscriptions = packet.subscriptions;
  if (!Array.isArray(subscriptions) || subscriptions.length === 0) {
    throw invalidPacket("subscriptions", "must hold at least one subscription [MQTT-3.8.3-3]");
  }
  for (let index = 0; index < subscriptions.length; index++) {
    const subscription = subscriptions[index] as Subscription;
    optionsByte(subscription, index, level);
    length += stringFieldLength(subscription.topicFilter, "subscriptions[#].topicFilter", index);
    length += 1;
  }
  return length;
}

export function writeSubscribe(
  packet: SubscribePacket,
  level: ProtocolVersion,
  target: Uint8Array,
  offset: number,
): number {
  let position = writeIdAndProperties(
    target,
    offset,
    packet.packetId,
    packet.properties,
    "subscribe",
    level,
  );
  const subscriptions = packet.subscriptions;
  for (let index = 0; index < subscriptions.length; index++) {
    const subscription = subscriptions[index] as Subscription;
    const filter = subscription.topicFilter;
    position = writeString(target, position, filter, stringFieldLength(filter, ""));
    position = writeU8(target, position, optionsByte(subscription, index, level));
  }
  return position;
}
