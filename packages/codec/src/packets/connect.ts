/**
 * CONNECT (section 3.1): protocol name and level, connect flags, keep alive, 5.0 properties,
 * then client identifier, will (5.0 will properties, topic, payload), user name, password.
 * The protocol level is taken from the packet itself, so a server learns it here.
 */
import type { ByteReader } from "../byte-reader.js";
import {
  binaryFieldLength,
  checkUnsigned,
  stringFieldLength,
  writeBinary,
  writeString,
  writeU8,
  writeU16,
} from "../byte-writer.js";
import { codecError, invalidPacket } from "../errors.js";
import {
  decodeProperties,
  propertiesContentLength,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import type { ConnectPacket, ProtocolVersion, QoS, Will } from "../types.js";

const FLAG_RESERVED = 0x01;
const FLAG_CLEAN = 0x02;
const FLAG_WILL = 0x04;
const FLAG_WILL_RETAIN = 0x20;
const FLAG_PASSWORD = 0x40;
const FLAG_USERNAME = 0x80;

/** Protocol name each level is sent with: "MQIsdp" for 3.1, "MQTT" for 3.1.1 and 5.0. */
function protocolNameOf(level: ProtocolVersion): string {
  return level === 3 ? "MQIsdp" : "MQTT";
}

export function decodeConnect(reader: ByteReader): ConnectPacket {
  const protocolName = reader.utf8("protocol name");
  const level = reader.u8("protocol level");
  if (protocolName !== "MQTT" && protocolName !== "MQIsdp") {
    throw codecError(
      "MQTT_ERR_INVALID_PROTOCOL_NAME",
      `protocol name ${JSON.stringify(protocolName)} is neither "MQTT" nor "MQIsdp"`,
      "MQTT-3.1.2-1",
    );
  }
  // A level that does not go with the name ("MQIsdp" is 3, "MQTT" is 4 or 5) is refused like
  // an unknown level: the client speaks a protocol version this server does not (as mosquitto).
  if (
    (level !== 3 && level !== 4 && level !== 5) ||
    protocolName !== protocolNameOf(level as ProtocolVersion)
  ) {
    throw codecError(
      "MQTT_ERR_UNSUPPORTED_PROTOCOL_VERSION",
      `protocol level ${level} with protocol name "${protocolName}"`,
      "MQTT-3.1.2-2",
    );
  }
  const protocolVersion = level as ProtocolVersion;
  const flags = reader.u8("connect flags");
  if ((flags & FLAG_RESERVED) !== 0) {
    throw codecError(
      "MQTT_ERR_CONNECT_RESERVED_FLAG",
      "connect flags bit 0 is set",
      "MQTT-3.1.2-3",
    );
  }
  const hasWill = (flags & FLAG_WILL) !== 0;
  const willQos = (flags >> 3) & 3;
  const willRetain = (flags & FLAG_WILL_RETAIN) !== 0;
  if (!hasWill && willQos !== 0) {
    throw codecError("MQTT_ERR_INVALID_WILL_FLAGS", "will QoS without will flag", "MQTT-3.1.2-13");
  }
  if (!hasWill && willRetain) {
    throw codecError(
      "MQTT_ERR_INVALID_WILL_FLAGS",
      "will retain without will flag",
      "MQTT-3.1.2-15",
    );
  }
  if (willQos === 3) throw codecError("MQTT_ERR_INVALID_QOS", "will QoS 3", "MQTT-3.1.2-14");
  const hasUsername = (flags & FLAG_USERNAME) !== 0;
  const hasPassword = (flags & FLAG_PASSWORD) !== 0;
  if (protocolVersion < 5 && hasPassword && !hasUsername) {
    throw codecError(
      "MQTT_ERR_PASSWORD_WITHOUT_USERNAME",
      "password flag set without user name flag",
      "MQTT-3.1.2-22",
    );
  }
  const keepalive = reader.u16("keep alive");
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion,
    clientId: "",
    clean: (flags & FLAG_CLEAN) !== 0,
    keepalive,
  };
  if (protocolVersion === 5) packet.properties = decodeProperties(reader, "connect");
  packet.clientId = reader.utf8("client identifier");
  if (hasWill) {
    const properties = protocolVersion === 5 ? decodeProperties(reader, "will") : undefined;
    const will: Will = {
      topic: reader.utf8("will topic"),
      payload: reader.binary("will payload"),
      qos: willQos as QoS,
      retain: willRetain,
    };
    if (properties !== undefined) will.properties = properties;
    packet.will = will;
  }
  if (hasUsername) packet.username = reader.utf8("user name");
  if (hasPassword) packet.password = reader.binary("password");
  reader.expectEnd("connect");
  return packet;
}

function connectLevel(packet: ConnectPacket): ProtocolVersion {
  const level = packet.protocolVersion;
  if (level !== 3 && level !== 4 && level !== 5) {
    throw invalidPacket("protocolVersion", "must be 3, 4 or 5");
  }
  return level;
}

export function measureConnect(packet: ConnectPacket): number {
  const level = connectLevel(packet);
  // protocol name, level, flags, keep alive
  let length = 2 + protocolNameOf(level).length + 1 + 1 + 2;
  if (typeof packet.clean !== "boolean") throw invalidPacket("clean", "must be a boolean");
  checkUnsigned(packet.keepalive, 0xffff, "keepalive");
  if (level === 5) {
    length += propertiesSectionLength(propertiesContentLength(packet.properties, "connect"));
  }
  length += stringFieldLength(packet.clientId, "clientId");
  const will = packet.will;
  if (will !== undefined) {
    if (typeof will !== "object" || will === null) throw invalidPacket("will", "must be an object");
    if (will.qos !== 0 && will.qos !== 1 && will.qos !== 2) {
      throw invalidPacket("will.qos", "must be 0, 1 or 2");
    }
    if (typeof will.retain !== "boolean") throw invalidPacket("will.retain", "must be a boolean");
    if (level === 5) {
      const content = propertiesContentLength(will.properties, "will", "will.properties.#");
      length += propertiesSectionLength(content);
    }
    length += stringFieldLength(will.topic, "will.topic");
    length += binaryFieldLength(will.payload, "will.payload");
  }
  if (packet.username !== undefined) length += stringFieldLength(packet.username, "username");
  if (packet.password !== undefined) {
    if (level < 5 && packet.username === undefined) {
      throw invalidPacket("password", "requires a username below MQTT 5.0 [MQTT-3.1.2-22]");
    }
    length += binaryFieldLength(packet.password, "password");
  }
  return length;
}

export function writeConnect(packet: ConnectPacket, target: Uint8Array, offset: number): number {
  const level = packet.protocolVersion;
  const will = packet.will;
  const name = protocolNameOf(level);
  let position = writeString(target, offset, name, 2 + name.length);
  position = writeU8(target, position, level);
  let flags = packet.clean ? FLAG_CLEAN : 0;
  if (will !== undefined) {
    flags |= FLAG_WILL | (will.qos << 3) | (will.retain ? FLAG_WILL_RETAIN : 0);
  }
  if (packet.username !== undefined) flags |= FLAG_USERNAME;
  if (packet.password !== undefined) flags |= FLAG_PASSWORD;
  position = writeU8(target, position, flags);
  position = writeU16(target, position, packet.keepalive);
  if (level === 5) {
    const content = propertiesContentLength(packet.properties, "connect");
    position = writeProperties(target, position, packet.properties, content);
  }
  position = writeString(target, position, packet.clientId, stringFieldLength(packet.clientId, ""));
  if (will !== undefined) {
    if (level === 5) {
      const content = propertiesContentLength(will.properties, "will");
      position = writeProperties(target, position, will.properties, content);
    }
    position = writeString(target, position, will.topic, stringFieldLength(will.topic, ""));
    position = writeBinary(target, position, will.payload);
  }
  if (packet.username !== undefined) {
    position = writeString(
      target,
      position,
      packet.username,
      stringFieldLength(packet.username, ""),
    );
  }
  if (packet.password !== undefined) position = writeBinary(target, position, packet.password);
  return position;
}
