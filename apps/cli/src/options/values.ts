/**
 * Parsers of single flag values, shared by `pub` and `sub`. Each throws commander's
 * InvalidArgumentError, which commander turns into one `error: option '...' argument '...' is
 * invalid. <reason>` line and exit code 1.
 */
import { InvalidArgumentError } from "commander";

export type QoS = 0 | 1 | 2;
/** The CONNECT protocol level: 3 = MQTT 3.1, 4 = MQTT 3.1.1. */
export type ProtocolLevel = 3 | 4;

function parseInteger(value: string, min: number, max: number, what: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new InvalidArgumentError(`expected ${what}, an integer from ${min} to ${max}.`);
  }
  return number;
}

export function parsePort(value: string): number {
  return parseInteger(value, 1, 65_535, "a TCP port");
}

export function parseQoS(value: string): QoS {
  return parseInteger(value, 0, 2, "a QoS") as QoS;
}

/** [MQTT-3.1.2-10] Keep Alive is a two-byte number of seconds; 0 turns keepalive off. */
export function parseKeepalive(value: string): number {
  return parseInteger(value, 0, 65_535, "seconds");
}

/** `-C`: how many messages to receive before exiting. */
export function parseCount(value: string): number {
  return parseInteger(value, 1, Number.MAX_SAFE_INTEGER, "a count");
}

/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days), in whole seconds. */
const maxTimeoutSeconds = 2_147_483;

/** `-W`: seconds; fractions are allowed (mosquitto_sub takes whole seconds). */
export function parseTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError("expected a number of seconds > 0.");
  }
  if (seconds > maxTimeoutSeconds) {
    throw new InvalidArgumentError(`expected at most ${maxTimeoutSeconds} seconds.`);
  }
  return seconds;
}

const protocolLevels: Readonly<Record<string, ProtocolLevel>> = {
  "31": 3,
  mqttv31: 3,
  "311": 4,
  mqttv311: 4,
};

/** `-V`: mosquitto's spellings of MQTT 3.1 and 3.1.1; MQTT 5 is refused with a reason. */
export function parseProtocolLevel(value: string): ProtocolLevel {
  const level = protocolLevels[value];
  if (level !== undefined) return level;
  if (value === "5" || value === "mqttv5") {
    throw new InvalidArgumentError("MQTT 5 is not supported yet; use 31 or 311.");
  }
  throw new InvalidArgumentError("expected 31, 311, mqttv31 or mqttv311.");
}

/** Collects a repeatable flag (`-t a -t b`) into an array. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `-L`: the parts of `mqtt(s)://[username[:password]@]host[:port]/topic`. */
export interface BrokerUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly topic: string;
}

/**
 * Parses a `-L` URL the way mosquitto_pub/sub do: by hand rather than with WHATWG `URL`, so a
 * `#` wildcard in the topic stays part of the topic instead of becoming a fragment, and
 * nothing is percent-decoded.
 */
export function parseBrokerUrl(value: string): BrokerUrl {
  const match = /^(mqtts?):\/\/([^/]+)\/(.+)$/.exec(value);
  const [, scheme, authority = "", topic = ""] = match ?? [];
  if (scheme === undefined) {
    throw new InvalidArgumentError("expected mqtt(s)://[username[:password]@]host[:port]/topic.");
  }
  const at = authority.lastIndexOf("@");
  const userInfo = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const colonInUserInfo = userInfo?.indexOf(":") ?? -1;
  const hostMatch = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
  if (hostMatch?.[1] === undefined) {
    throw new InvalidArgumentError(`no host in "${authority}".`);
  }
  return {
    tls: scheme === "mqtts",
    host: hostMatch[1].replace(/^\[(.*)\]$/, "$1"),
    port: hostMatch[2] === undefined ? undefined : parsePort(hostMatch[2]),
    username: colonInUserInfo === -1 ? userInfo : userInfo?.slice(0, colonInUserInfo),
    password: colonInUserInfo === -1 ? undefined : userInfo?.slice(colonInUserInfo + 1),
    topic,
  };
}
