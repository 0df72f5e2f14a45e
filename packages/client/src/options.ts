/**
 * The options of `connect()`, their defaults, and the parsing of the server URL.
 */
import type { ProtocolVersion, QoS } from "@ternmq/codec";
import type { SessionStore } from "@ternmq/session";
import { invalidArgument } from "./errors.js";
import type { Timers } from "./timers.js";
import type { ServerAddress, TransportFactory } from "./transport.js";

/** node:tls settings for `mqtts://` and `wss://` (a subset of `tls.ConnectionOptions`). */
export interface ClientTlsOptions {
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  key?: string | Uint8Array | readonly (string | Uint8Array)[];
  rejectUnauthorized?: boolean;
  servername?: string;
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
}

export interface WillOptions {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
}

export interface ReconnectOptions {
  /** First delay bound, ms. Default 1000. */
  minDelayMs?: number;
  /** Largest delay bound, ms. Default 30000. */
  maxDelayMs?: number;
  /** Growth of the bound per failed attempt. Default 2. */
  factor?: number;
}

export interface OfflineQueueOptions {
  /** Most messages waiting to be sent (offline, or past the inflight window). Default 1000. */
  maxMessages?: number;
  /** Most bytes (payload + topic) waiting. Default 16 MiB. */
  maxBytes?: number;
  /** Queue QoS 0 messages published while offline. Default false (they are rejected). */
  qos0?: boolean;
}

/** Every option of `connect()`; all optional (defaults in the README). */
export interface ClientOptions {
  /** Overrides the URL's host. */
  host?: string;
  /** Overrides the URL's port. */
  port?: number;
  /** Default: "" with clean=true (the server assigns one), else `ternmq_` + 8 hex digits. */
  clientId?: string;
  /** Clean Session. Default true. */
  clean?: boolean;
  username?: string;
  password?: string | Uint8Array;
  /** Seconds; 0 turns keepalive off. Default 60. */
  keepalive?: number;
  /** 3 (MQTT 3.1) or 4 (3.1.1, default). */
  protocolVersion?: 3 | 4;
  will?: WillOptions;
  /** How long opening the connection and waiting for CONNACK may take. Default 30000. */
  connectTimeoutMs?: number;
  /** `false` turns reconnecting off. Default `{}` (1 s .. 30 s, factor 2, full jitter). */
  reconnect?: false | ReconnectOptions;
  offlineQueue?: OfflineQueueOptions;
  /** Most QoS 1/2 messages awaiting PUBACK/PUBCOMP at once; the rest wait in the queue. Default 100. */
  inflightWindow?: number;
  /** Keeps inflight QoS 1/2 messages across process restarts (clean=false). */
  store?: SessionStore;
  tls?: ClientTlsOptions;
  timers?: Timers;
  /** Random numbers in [0, 1) for the backoff jitter. Default Math.random. */
  random?: () => number;
  /** Test seam: opens the byte stream instead of TCP/TLS/WebSocket. */
  transport?: TransportFactory;
}

/** Options with every default applied and validated. */
export interface ResolvedOptions {
  clientId: string;
  clean: boolean;
  username: string | undefined;
  password: Uint8Array | undefined;
  keepalive: number;
  protocolVersion: ProtocolVersion;
  will: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean } | undefined;
  connectTimeoutMs: number;
  reconnect: Required<ReconnectOptions> | undefined;
  queue: { maxMessages: number; maxBytes: number; qos0: boolean };
  inflightWindow: number;
  store: SessionStore | undefined;
  random: () => number;
}

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;
const SCHEMES: Record<string, ServerAddress["protocol"]> = {
  "mqtt:": "mqtt",
  "tcp:": "mqtt",
  "mqtts:": "mqtts",
  "ssl:": "mqtts",
  "tls:": "mqtts",
  "ws:": "ws",
  "wss:": "wss",
};
const utf8 = new TextEncoder();

/** The address of `url` with the `host`/`port` overrides. Throws INVALID_ARGUMENT. */
export function parseAddress(url: string, options: ClientOptions): ServerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalidArgument(`not a URL: ${url}`, error);
  }
  const protocol = SCHEMES[parsed.protocol];
  if (protocol === undefined) {
    throw invalidArgument(`unsupported URL scheme ${parsed.protocol} (mqtt, mqtts, ws, wss)`);
  }
  // URL keeps IPv6 literals in brackets; sockets want them bare.
  const host = options.host ?? parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = options.port ?? (parsed.port === "" ? DEFAULT_PORTS[protocol] : Number(parsed.port));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidArgument(`invalid port ${port}`);
  }
  if (host === "") throw invalidArgument(`no host in ${url}`);
  const path = parsed.pathname === "" || parsed.pathname === "/" ? "/mqtt" : parsed.pathname;
  return { protocol, host, port, path: path + parsed.search };
}

function checkNumber(name: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    throw invalidArgument(`option ${name} must be a number in [${min}, ${max}]: ${value}`);
  }
  return value;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value))
    throw invalidArgument(`option ${name} must be an integer: ${value}`);
  return checkNumber(name, value, min, max);
}

function checkQos(name: string, value: unknown): QoS {
  if (value !== 0 && value !== 1 && value !== 2) {
    throw invalidArgument(`${name} must be 0, 1 or 2: ${String(value)}`);
  }
  return value;
}

function randomClientId(random: () => number): string {
  let id = "ternmq_";
  for (let index = 0; index < 8; index++) id += Math.floor(random() * 16).toString(16);
  return id;
}

/** Applies defaults; credentials in the URL are used when the options have none. */
export function resolveOptions(url: string, options: ClientOptions): ResolvedOptions {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const random = options.random ?? Math.random;
  const clean = options.clean ?? true;
  const protocolVersion = options.protocolVersion ?? 4;
  if (protocolVersion !== 3 && protocolVersion !== 4) {
    throw invalidArgument(`protocolVersion must be 3 or 4: ${String(protocolVersion)}`);
  }
  const reconnect = options.reconnect ?? {};
  const queue = options.offlineQueue ?? {};
  const urlUser = parsed?.username ? decodeURIComponent(parsed.username) : undefined;
  const urlPassword = parsed?.password ? decodeURIComponent(parsed.password) : undefined;
  const password = options.password ?? urlPassword;
  const will = options.will;
  return {
    clientId: options.clientId ?? (clean ? "" : randomClientId(random)),
    clean,
    username: options.username ?? urlUser,
    password: typeof password === "string" ? utf8.encode(password) : password,
    keepalive: checkInteger("keepalive", options.keepalive ?? 60, 0, 65_535),
    protocolVersion,
    will:
      will === undefined
        ? undefined
        : {
            topic: will.topic,
            payload: typeof will.payload === "string" ? utf8.encode(will.payload) : will.payload,
            qos: checkQos("will.qos", will.qos ?? 0),
            retain: will.retain ?? false,
          },
    connectTimeoutMs: checkNumber(
      "connectTimeoutMs",
      options.connectTimeoutMs ?? 30_000,
      1,
      2 ** 31 - 1,
    ),
    reconnect:
      reconnect === false
        ? undefined
        : {
            minDelayMs: checkNumber(
              "reconnect.minDelayMs",
              reconnect.minDelayMs ?? 1000,
              0,
              2 ** 31 - 1,
            ),
            maxDelayMs: checkNumber(
              "reconnect.maxDelayMs",
              reconnect.maxDelayMs ?? 30_000,
              0,
              2 ** 31 - 1,
            ),
            factor: checkNumber("reconnect.factor", reconnect.factor ?? 2, 1, 1000),
          },
    queue: {
      maxMessages: checkInteger(
        "offlineQueue.maxMessages",
        queue.maxMessages ?? 1000,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      maxBytes: checkInteger(
        "offlineQueue.maxBytes",
        queue.maxBytes ?? 16 * 1024 * 1024,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      qos0: queue.qos0 ?? false,
    },
    inflightWindow: checkInteger("inflightWindow", options.inflightWindow ?? 100, 1, 65_535),
    store: options.store,
    random,
  };
}

export { checkQos };
