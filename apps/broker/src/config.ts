/**
 * The config file (`-c FILE`): YAML or JSON whose keys mirror BrokerOptions, validated so that
 * a mistake names the bad key and what it expects.
 *
 * ```yaml
 * port: 1883
 * host: 0.0.0.0
 * logLevel: info
 * maxQoS: 2
 * sysInterval: 10
 * limits:
 *   maxConnections: 10000
 *   maxInflight: 100
 * ```
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./config-error.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import { type FieldSchema, validate } from "./schema.js";

/** What a commit of the durable store waits for (`--durability`). */
export const DURABILITY_LEVELS = ["fsync", "relaxed"] as const;
export type Durability = (typeof DURABILITY_LEVELS)[number];

/** Upper bound of `commitWindow`: a longer window delays every acknowledgement by as much. */
export const MAX_COMMIT_WINDOW_MS = 1_000;

/** Broker limits a config file may set (the names of BrokerLimits). */
export interface LimitsConfig {
  maxConnections?: number;
  connectTimeoutMs?: number;
  maxPacketSize?: number;
  maxKeepalive?: number;
  maxClientIdLength?: number;
  maxTopicLevels?: number;
  maxInflight?: number;
  maxQueuedMessages?: number;
  maxQueuedBytes?: number;
  maxOutgoingBufferBytes?: number;
  drainTimeoutMs?: number;
  maxConnectionsPerAddress?: number;
  connectionsPerSecondPerAddress?: number;
  messagesPerSecondPerClient?: number;
  bytesPerSecondPerClient?: number;
  maxSubscriptionsPerClient?: number;
  maxTopicLength?: number;
}

/** Everything a config file may hold; every key is optional. */
/** One listener of the `listeners` list; TLS files are paths, read at start and on SIGHUP. */
export interface ListenerConfig {
  type: "tcp" | "tls" | "ws" | "wss";
  port: number;
  host?: string;
  /** WebSocket path (ws, wss); default "/mqtt". */
  path?: string;
  /** PEM files (tls, wss): cert and key are required, ca checks client certificates. */
  cert?: string;
  key?: string;
  ca?: string;
  requestCert?: boolean;
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** tls: use the client certificate's CN as the username. */
  usernameFromCertificateCN?: boolean;
}

/** The admin HTTP server (@ternmq/admin); off unless `port` is set. */
export interface AdminConfig {
  port?: number;
  host?: string;
  token?: string;
}

/** Cluster mode (@ternmq/redis): nodes share sessions, retained messages and routes. */
export interface ClusterConfig {
  /** `redis://host:port` (or `rediss://`, with a password: `redis://:secret@host:port`). */
  redis?: string;
  /** This node's id, unique in the cluster: 1-64 of `A-Z a-z 0-9 _ . -`. */
  nodeId?: string;
  /** Milliseconds between two heartbeats of this node (default 1000). */
  heartbeatMs?: number;
  /** A node whose heartbeat is this old is dead and cleaned up (default 3000). */
  nodeTtlMs?: number;
}

export interface FileConfig {
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  maxQoS?: 0 | 1 | 2;
  retainAvailable?: boolean;
  /** Seconds between two $SYS publishes; 0 disables $SYS. */
  sysInterval?: number;
  dataDir?: string;
  memory?: boolean;
  /** fsync (default): survives a power cut; relaxed: survives a crash of the process only. */
  durability?: Durability;
  /** Milliseconds a commit may wait to group more writes; default 0 (end of the turn). */
  commitWindow?: number;
  /** Seconds an offline persistent session is kept; default: forever. */
  maxSessionAge?: number;
  limits?: LimitsConfig;
  /** mosquitto-style password file (`ternmq-broker passwd FILE USER` writes it). */
  passwordFile?: string;
  /** ACL file; once set, everything not granted is denied. */
  aclFile?: string;
  /** Clients without a username; default: true unless a password file is set. */
  allowAnonymous?: boolean;
  /** Reload the certificate, password and ACL files when they change; default true. */
  watchFiles?: boolean;
  /** Listeners besides (or, with port unset, as well as) the default TCP one. */
  listeners?: ListenerConfig[];
  admin?: AdminConfig;
  cluster?: ClusterConfig;
}

const positiveInteger = { kind: "integer", min: 1 } as const;
const nonNegativeInteger = { kind: "integer", min: 0 } as const;

const limitsFields = {
  maxConnections: positiveInteger,
  connectTimeoutMs: positiveInteger,
  maxPacketSize: { kind: "integer", min: 2, max: 268_435_460 },
  maxKeepalive: { kind: "integer", min: 0, max: 65_535 },
  maxClientIdLength: { kind: "integer", min: 23, max: 65_535 },
  maxTopicLevels: positiveInteger,
  maxInflight: { kind: "integer", min: 1, max: 65_535 },
  maxQueuedMessages: nonNegativeInteger,
  maxQueuedBytes: nonNegativeInteger,
  maxOutgoingBufferBytes: nonNegativeInteger,
  drainTimeoutMs: positiveInteger,
  maxConnectionsPerAddress: positiveInteger,
  connectionsPerSecondPerAddress: positiveInteger,
  messagesPerSecondPerClient: positiveInteger,
  bytesPerSecondPerClient: positiveInteger,
  maxSubscriptionsPerClient: positiveInteger,
  maxTopicLength: { kind: "integer", min: 1, max: 65_535 },
} as const satisfies Record<keyof LimitsConfig, FieldSchema>;

const listenerFields = {
  type: { kind: "oneOf", values: ["tcp", "tls", "ws", "wss"] },
  port: { kind: "integer", min: 0, max: 65_535 },
  host: { kind: "string" },
  path: { kind: "string" },
  cert: { kind: "string" },
  key: { kind: "string" },
  ca: { kind: "string" },
  requestCert: { kind: "boolean" },
  minVersion: { kind: "oneOf", values: ["TLSv1.2", "TLSv1.3"] },
  usernameFromCertificateCN: { kind: "boolean" },
} as const satisfies Record<keyof ListenerConfig, FieldSchema>;

const adminFields = {
  port: { kind: "integer", min: 0, max: 65_535 },
  host: { kind: "string" },
  token: { kind: "string" },
} as const satisfies Record<keyof AdminConfig, FieldSchema>;

const clusterFields = {
  redis: { kind: "string" },
  nodeId: { kind: "string" },
  heartbeatMs: positiveInteger,
  nodeTtlMs: positiveInteger,
} as const satisfies Record<keyof ClusterConfig, FieldSchema>;

const configFields = {
  port: { kind: "integer", min: 0, max: 65_535 },
  host: { kind: "string" },
  logLevel: { kind: "oneOf", values: LOG_LEVELS },
  maxQoS: { kind: "oneOf", values: [0, 1, 2] },
  retainAvailable: { kind: "boolean" },
  sysInterval: { kind: "number", min: 0 },
  dataDir: { kind: "string" },
  memory: { kind: "boolean" },
  durability: { kind: "oneOf", values: DURABILITY_LEVELS },
  commitWindow: { kind: "integer", min: 0, max: MAX_COMMIT_WINDOW_MS },
  maxSessionAge: positiveInteger,
  limits: { kind: "object", fields: limitsFields },
  listeners: { kind: "list", items: { kind: "object", fields: listenerFields } },
  passwordFile: { kind: "string" },
  aclFile: { kind: "string" },
  allowAnonymous: { kind: "boolean" },
  watchFiles: { kind: "boolean" },
  admin: { kind: "object", fields: adminFields },
  cluster: { kind: "object", fields: clusterFields },
} as const satisfies Record<keyof FileConfig, FieldSchema>;

const configSchema: FieldSchema = { kind: "object", fields: configFields };

/** Validates parsed config data; throws a ConfigError naming the first bad key. */
export function validateConfig(data: unknown, file: string): FileConfig {
  // An empty YAML file parses to null: no settings.
  if (data === null || data === undefined) return {};
  validate(data, configSchema, file);
  const config = data as FileConfig;
  for (const [index, listener] of (config.listeners ?? []).entries()) {
    checkListener(listener, file, `listeners[${index}]`);
  }
  return config;
}

/** The format of a config file: ".json" is JSON, anything else YAML (a superset of JSON). */
export function configFormat(file: string): "json" | "yaml" {
  return extname(file).toLowerCase() === ".json" ? "json" : "yaml";
}

/** Parses and validates the text of a config file. */
export function parseConfig(text: string, file: string): FileConfig {
  let data: unknown;
  try {
    data = configFormat(file) === "json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError("MQTT_ERR_CONFIG_SYNTAX", file, undefined, `not valid: ${reason}`);
  }
  return validateConfig(data, file);
}

/** Reads, parses and validates a config file. */
export async function loadConfigFile(file: string): Promise<FileConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError("MQTT_ERR_CONFIG_READ", file, undefined, `cannot read: ${reason}`);
  }
  return parseConfig(text, file);
}

/**
 * The keys a listener cannot do without: `type` and `port` always, `cert` and `key` for tls
 * and wss. Throws a ConfigError naming the missing key.
 */
export function checkListener(listener: Partial<ListenerConfig>, file: string, path: string): void {
  const required: (keyof ListenerConfig)[] = ["type", "port"];
  if (listener.type === "tls" || listener.type === "wss") required.push("cert", "key");
  for (const key of required) {
    if (listener[key] === undefined) {
      throw new ConfigError(
        "MQTT_ERR_CONFIG_INVALID_VALUE",
        file,
        `${path}.${key}`,
        `"${path}.${key}" is required for a ${listener.type ?? "listener"} listener`,
      );
    }
  }
}
