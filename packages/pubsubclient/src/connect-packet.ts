/**
 * 2.8's `connect` overloads mapped onto one shape, its CONNECT size count, and the CONNECT
 * packet (encoded by the codec).
 */
import type { ConnectPacket, QoS } from "@ternmq/codec";
import { MQTT_MAX_HEADER_SIZE, MQTT_VERSION } from "./constants.js";

/** The arguments of every `connect` overload, with C's `NULL` as `null`. */
export interface ConnectArguments {
  readonly id: string;
  readonly user: string | null;
  readonly pass: string | null;
  readonly willTopic: string | null;
  readonly willQos: number;
  readonly willRetain: boolean;
  readonly willMessage: string | null;
  readonly cleanSession: boolean;
}

export type ConnectRest = readonly (string | number | boolean | null | undefined)[];

/** Protocol name and level, flags, keepalive: what 2.8 counts before the strings. */
const CONNECT_VARIABLE_HEADER_SIZE = 7 + 1 + 2;
const utf8 = new TextEncoder();

/** C sketches pass 0 / 1 for booleans. */
const isTrue = (value: unknown): boolean => value === true || value === 1;
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Maps 2.8's connect overloads (1, 3, 5, 7 or 8 arguments) onto one shape. */
export function parseConnectArguments(id: string, rest: ConnectRest): ConnectArguments {
  if (rest.length === 4) {
    return {
      id,
      user: null,
      pass: null,
      willTopic: text(rest[0]),
      willQos: Number(rest[1] ?? 0),
      willRetain: isTrue(rest[2]),
      willMessage: text(rest[3]),
      cleanSession: true,
    };
  }
  return {
    id,
    user: text(rest[0]),
    pass: text(rest[1]),
    willTopic: text(rest[2]),
    willQos: Number(rest[3] ?? 0),
    willRetain: isTrue(rest[4]),
    willMessage: text(rest[5]),
    // 2.8's `boolean cleanSession = true`.
    cleanSession: rest[6] === undefined || isTrue(rest[6]),
  };
}

/**
 * The size 2.8's `CHECK_STRING_LENGTH` compares with the buffer: 5 header bytes, 10 variable
 * header bytes, then 2 + length for each string that is sent.
 */
export function connectSize(options: ConnectArguments): number {
  let size = MQTT_MAX_HEADER_SIZE + CONNECT_VARIABLE_HEADER_SIZE;
  for (const value of sentStrings(options)) size += 2 + utf8.encode(value).length;
  return size;
}

function sentStrings(options: ConnectArguments): string[] {
  const strings = [options.id];
  if (options.willTopic !== null) strings.push(options.willTopic, options.willMessage ?? "");
  if (options.user !== null) {
    strings.push(options.user);
    if (options.pass !== null) strings.push(options.pass);
  }
  return strings;
}

/** The CONNECT 2.8 sends for `options` (the codec validates it when encoding). */
export function connectPacket(options: ConnectArguments, keepaliveSeconds: number): ConnectPacket {
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: MQTT_VERSION,
    clientId: options.id,
    clean: options.cleanSession,
    keepalive: keepaliveSeconds,
  };
  // The will flag, QoS and retain only with a will topic [MQTT-3.1.2-11] [MQTT-3.1.2-13].
  if (options.willTopic !== null) {
    packet.will = {
      topic: options.willTopic,
      payload: utf8.encode(options.willMessage ?? ""),
      // An invalid QoS is passed on for the codec to refuse (MQTT_ERR_INVALID_PACKET).
      qos: options.willQos as QoS,
      retain: options.willRetain,
    };
  }
  // 2.8 sends a password only with a user name [MQTT-3.1.2-22].
  if (options.user !== null) {
    packet.username = options.user;
    if (options.pass !== null) packet.password = utf8.encode(options.pass);
  }
  return packet;
}
