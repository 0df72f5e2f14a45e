/**
 * The flags `pub` and `sub` share (broker address, identity, session, will, TLS, debug) and
 * their resolution into one typed {@link ConnectionSettings}, with the cross-flag checks
 * mosquitto_pub/sub make before connecting.
 */
import type { Command } from "commander";
import type { Fail } from "./parse.js";
import {
  type BrokerUrl,
  type ProtocolLevel,
  parseBrokerUrl,
  parseKeepalive,
  parsePort,
  parseProtocolLevel,
  parseQoS,
  type QoS,
} from "./values.js";

/** PEM files and checks for a TLS connection (`mqtts://`). */
export interface TlsSettings {
  /** `--cafile`: trust only this CA (default: Node's built-in CA list). */
  readonly caFile: string | undefined;
  /** `--cert` and `--key`: a client certificate. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** `--insecure`: do not check that the certificate names the host (the chain still is). */
  readonly insecure: boolean;
}

export interface WillSettings {
  readonly topic: string;
  readonly payload: string;
  readonly qos: QoS;
  readonly retain: boolean;
}

/** Everything needed to open one client connection. */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  /** Set when the connection uses TLS (`--cafile`, `--cert` or `-L mqtts://`). */
  readonly tls: TlsSettings | undefined;
  /** Undefined: an empty client id, for which the broker assigns one. */
  readonly clientId: string | undefined;
  readonly clean: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly keepalive: number;
  readonly protocolLevel: ProtocolLevel;
  readonly will: WillSettings | undefined;
  readonly debug: boolean;
}

/** The raw option values commander collects for the flags added by {@link addConnectionOptions}. */
export interface ConnectionFlags {
  host?: string;
  port?: number;
  url?: BrokerUrl;
  id?: string;
  username?: string;
  pw?: string;
  keepalive?: number;
  disableCleanSession?: boolean;
  protocolVersion?: ProtocolLevel;
  willTopic?: string;
  willPayload?: string;
  willQos?: QoS;
  willRetain?: boolean;
  cafile?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  debug?: boolean;
}

export const DEFAULT_HOST = "localhost";
export const DEFAULT_PORT = 1883;
export const DEFAULT_TLS_PORT = 8883;
export const DEFAULT_KEEPALIVE_SECONDS = 60;

/** Adds the shared flags to `command` (which must not use `-h` for help). */
export function addConnectionOptions(command: Command): Command {
  return command
    .option("-h, --host <host>", `broker host (default: ${DEFAULT_HOST})`)
    .option(
      "-p, --port <port>",
      `broker port (default: ${DEFAULT_PORT}, ${DEFAULT_TLS_PORT} with TLS)`,
      parsePort,
    )
    .option(
      "-L, --url <url>",
      "mqtt(s)://[username[:password]@]host[:port]/topic instead of -h, -p, -t (and -u, -P)",
      parseBrokerUrl,
    )
    .option("-i, --id <id>", "client id (default: empty, the broker assigns one)")
    .option("-u, --username <username>", "user name")
    .option("-P, --pw <password>", "password (needs -u)")
    .option(
      "-k, --keepalive <seconds>",
      `keepalive in seconds, 0 = off (default: ${DEFAULT_KEEPALIVE_SECONDS})`,
      parseKeepalive,
    )
    .option("-c, --disable-clean-session", "keep the session on the broker (needs -i)")
    .option(
      "-V, --protocol-version <version>",
      "31 or 311 (MQTT 3.1 or 3.1.1; default: 311)",
      parseProtocolLevel,
    )
    .option("--will-topic <topic>", "topic of the will message")
    .option("--will-payload <payload>", "payload of the will message (default: empty)")
    .option("--will-qos <qos>", "QoS of the will message (default: 0)", parseQoS)
    .option("--will-retain", "retain the will message")
    .option("--cafile <file>", "PEM CA file to check the broker with; turns TLS on")
    .option("--cert <file>", "PEM client certificate (with --key); turns TLS on")
    .option("--key <file>", "PEM private key of --cert")
    .option("--insecure", "TLS: do not check the broker's host name against its certificate")
    .option("-d, --debug", "print each connection step on stderr")
    .helpOption("--help", "print this help and exit");
}

/**
 * Resolves the shared flags. Returns the settings and the topic of a `-L` URL; calls `fail`
 * for combinations that cannot work.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  fail: Fail,
): { settings: ConnectionSettings; urlTopic: string | undefined } {
  const url = flags.url;
  if (url !== undefined && (flags.host !== undefined || flags.port !== undefined)) {
    fail("-L already names the host and port; do not combine it with -h or -p.");
  }
  if (url?.username !== undefined && flags.username !== undefined) {
    fail("the -L URL already names a user; do not combine it with -u.");
  }
  const username = url?.username ?? flags.username;
  const password = url?.password ?? flags.pw;
  // [MQTT-3.1.2-22] A password without a user name is not allowed.
  if (password !== undefined && username === undefined) {
    fail("a password (-P) needs a user name (-u).");
  }
  // [MQTT-3.1.3-7] An empty client id needs a clean session.
  const clean = flags.disableCleanSession !== true;
  if (!clean && (flags.id === undefined || flags.id === "")) {
    fail("-c (a persistent session) needs a client id (-i).");
  }
  const tls = resolveTls(flags, url?.tls === true, fail);
  return {
    settings: {
      host: url?.host ?? flags.host ?? DEFAULT_HOST,
      port: url?.port ?? flags.port ?? (tls === undefined ? DEFAULT_PORT : DEFAULT_TLS_PORT),
      tls,
      clientId: flags.id === "" ? undefined : flags.id,
      clean,
      username,
      password,
      keepalive: flags.keepalive ?? DEFAULT_KEEPALIVE_SECONDS,
      protocolLevel: flags.protocolVersion ?? 4,
      will: resolveWill(flags, fail),
      debug: flags.debug === true,
    },
    urlTopic: url?.topic,
  };
}

function resolveTls(
  flags: ConnectionFlags,
  urlAsksForTls: boolean,
  fail: Fail,
): TlsSettings | undefined {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    fail("--cert and --key go together.");
  }
  const enabled = urlAsksForTls || flags.cafile !== undefined || flags.cert !== undefined;
  if (!enabled) {
    if (flags.insecure === true) fail("--insecure needs TLS (--cafile, --cert or mqtts://).");
    return undefined;
  }
  return {
    caFile: flags.cafile,
    certFile: flags.cert,
    keyFile: flags.key,
    insecure: flags.insecure === true,
  };
}

function resolveWill(flags: ConnectionFlags, fail: Fail): WillSettings | undefined {
  if (flags.willTopic === undefined) {
    if (
      flags.willPayload !== undefined ||
      flags.willQos !== undefined ||
      flags.willRetain !== undefined
    ) {
      fail("--will-payload, --will-qos and --will-retain need --will-topic.");
    }
    return undefined;
  }
  return {
    topic: flags.willTopic,
    payload: flags.willPayload ?? "",
    qos: flags.willQos ?? 0,
    retain: flags.willRetain === true,
  };
}
