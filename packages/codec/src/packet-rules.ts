/**
 * Which packets each side may receive, and the dispatch from a packet type to its body decoder.
 */
import type { ByteReader } from "./byte-reader.js";
import { codecError } from "./errors.js";
import { decodeAuth } from "./packets/auth.js";
import { decodeConnack } from "./packets/connack.js";
import { decodeConnect } from "./packets/connect.js";
import { decodeDisconnect } from "./packets/disconnect.js";
import { decodePing } from "./packets/ping.js";
import { decodePubAck } from "./packets/pub-ack.js";
import { decodePublish } from "./packets/publish.js";
import { decodeSuback } from "./packets/suback.js";
import { decodeSubscribe } from "./packets/subscribe.js";
import { decodeUnsuback } from "./packets/unsuback.js";
import { decodeUnsubscribe } from "./packets/unsubscribe.js";
import type { Packet, ProtocolVersion } from "./types.js";

/** "server" decodes what clients send; "client" decodes what servers send. */
export type DecoderRole = "server" | "client";

const PACKET_NAMES = [
  "reserved",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
] as const;

/** Types only a client sends: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ. */
const CLIENT_TO_SERVER_ONLY = (1 << 1) | (1 << 8) | (1 << 10) | (1 << 12);
/** Types only a server sends: CONNACK, SUBACK, UNSUBACK, PINGRESP. */
const SERVER_TO_CLIENT_ONLY = (1 << 2) | (1 << 9) | (1 << 11) | (1 << 13);

/**
 * Throws MQTT_ERR_UNEXPECTED_PACKET_TYPE when the peer of `role` may not send `type`
 * (section 2.1.2, "Direction of flow").
 */
export function checkDirection(type: number, role: DecoderRole): void {
  const forbidden = role === "server" ? SERVER_TO_CLIENT_ONLY : CLIENT_TO_SERVER_ONLY;
  if ((forbidden & (1 << type)) !== 0) {
    throw codecError(
      "MQTT_ERR_UNEXPECTED_PACKET_TYPE",
      `a ${role === "server" ? "client" : "server"} may not send ${PACKET_NAMES[type]}`,
      "MQTT-2.1.2",
    );
  }
}

/**
 * Checks of a decoded packet that depend on who sent it: a client may not send a Subscription
 * Identifier in PUBLISH ([MQTT-3.3.4-6]).
 */
export function checkSender(packet: Packet, role: DecoderRole): void {
  if (
    role === "server" &&
    packet.type === "publish" &&
    packet.properties?.subscriptionIdentifiers !== undefined
  ) {
    throw codecError(
      "MQTT_ERR_INVALID_PROPERTY",
      "a client may not send a subscription identifier in PUBLISH",
      "MQTT-3.3.4-6",
    );
  }
}

/** Name of a packet type number, for messages. */
export function packetName(type: number): string {
  return PACKET_NAMES[type] ?? "unknown";
}

/**
 * Decodes the body in `reader` of a packet whose fixed header (already checked) starts with
 * `firstByte`. CONNECT ignores `level` and uses its own.
 */
export function decodeBody(firstByte: number, reader: ByteReader, level: ProtocolVersion): Packet {
  switch (firstByte >> 4) {
    case 1:
      return decodeConnect(reader);
    case 2:
      return decodeConnack(reader, level);
    case 3:
      return decodePublish(reader, firstByte & 0x0f, level);
    case 4:
      return decodePubAck("puback", reader, level);
    case 5:
      return decodePubAck("pubrec", reader, level);
    case 6:
      return decodePubAck("pubrel", reader, level);
    case 7:
      return decodePubAck("pubcomp", reader, level);
    case 8:
      return decodeSubscribe(reader, level);
    case 9:
      return decodeSuback(reader, level);
    case 10:
      return decodeUnsubscribe(reader, level);
    case 11:
      return decodeUnsuback(reader, level);
    case 12:
      return decodePing("pingreq", reader);
    case 13:
      return decodePing("pingresp", reader);
    case 14:
      return decodeDisconnect(reader, level);
    default:
      return decodeAuth(reader);
  }
}
