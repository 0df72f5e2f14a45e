/**
 * Merges the three sources of settings, lowest precedence first: built-in defaults, the config
 * file, the command-line flags; and maps the result onto BrokerOptions.
 */

import type { CliFlags } from "./cli.js";
import {
  checkListener,
  type Durability,
  type FileConfig,
  type LimitsConfig,
  type ListenerConfig,
} from "./config.js";
import { limitsFromFlags } from "./limit-flags.js";
import type { LogLevel } from "./log.js";

export interface Settings {
  port: number;
  host: string;
  logLevel: LogLevel;
  dataDir: string;
  memory: boolean;
  /** The durable store's commit (unused with `memory`). */
  durability: Durability;
  /** Milliseconds a commit may wait to group more writes (unused with `memory`). */
  commitWindow: number;
  /** Seconds an offline persistent session is kept; undefined: forever. */
  maxSessionAge: number | undefined;
  /** Unset: the broker's default (10 s). */
  sysInterval: number | undefined;
  maxQoS: 0 | 1 | 2 | undefined;
  retainAvailable: boolean | undefined;
  limits: LimitsConfig;
  /** Extra listeners (the default TCP one is `port`/`host`): the file's, then the flags'. */
  listeners: ListenerConfig[];
  /** File-based authentication and ACL; all unset: no auth hooks. */
  auth: { passwordFile?: string; aclFile?: string; allowAnonymous?: boolean };
  /** Reload the certificate, password and ACL files when they change (watch-files.ts). */
  watchFiles: boolean;
  /** The admin HTTP server; undefined (no port given): off. */
  admin: AdminSettings | undefined;
  /** Cluster mode; undefined (no Redis URL given): a standalone broker. */
  cluster: ClusterSettings | undefined;
}

export interface ClusterSettings {
  redis: string;
  /** Undefined: the app picks `<hostname>-<pid>`. */
  nodeId: string | undefined;
  heartbeatMs: number | undefined;
  nodeTtlMs: number | undefined;
}

export interface AdminSettings {
  port: number;
  host: string;
  token?: string;
}

/** The admin server binds to loopback unless told otherwise. */
export const DEFAULT_ADMIN_HOST = "127.0.0.1";

export const DEFAULTS = {
  port: 1883,
  host: "0.0.0.0",
  logLevel: "info",
  dataDir: "./data",
  memory: false,
  durability: "fsync",
  commitWindow: 0,
  watchFiles: true,
} as const satisfies Partial<Settings>;

/**
 * Flags override the file, the file overrides the defaults. `env` supplies
 * TERNMQ_ADMIN_TOKEN (between the flag and the file).
 */
export function resolveSettings(
  flags: CliFlags,
  file: FileConfig,
  env: { TERNMQ_ADMIN_TOKEN?: string | undefined } = {},
): Settings {
  return {
    port: flags.port ?? file.port ?? DEFAULTS.port,
    host: flags.host ?? file.host ?? DEFAULTS.host,
    logLevel: flags.logLevel ?? file.logLevel ?? DEFAULTS.logLevel,
    dataDir: flags.dataDir ?? file.dataDir ?? DEFAULTS.dataDir,
    memory: flags.memory ?? file.memory ?? DEFAULTS.memory,
    durability: flags.durability ?? file.durability ?? DEFAULTS.durability,
    commitWindow: flags.commitWindow ?? file.commitWindow ?? DEFAULTS.commitWindow,
    maxSessionAge: flags.maxSessionAge ?? file.maxSessionAge,
    sysInterval: flags.sysInterval ?? file.sysInterval,
    maxQoS: file.maxQoS,
    retainAvailable: file.retainAvailable,
    limits: { ...file.limits, ...limitsFromFlags(flags) },
    listeners: [...(file.listeners ?? []), ...flagListeners(flags)],
    auth: definedOnly({
      passwordFile: flags.passwordFile ?? file.passwordFile,
      aclFile: flags.aclFile ?? file.aclFile,
      allowAnonymous: flags.allowAnonymous ?? file.allowAnonymous,
    }),
    watchFiles: flags.watchFiles ?? file.watchFiles ?? DEFAULTS.watchFiles,
    admin: adminSettings(flags, file, env.TERNMQ_ADMIN_TOKEN),
    cluster: clusterSettings(flags, file),
  };
}

function clusterSettings(flags: CliFlags, file: FileConfig): ClusterSettings | undefined {
  const redis = flags.cluster ?? file.cluster?.redis;
  if (redis === undefined) return undefined;
  return {
    redis,
    nodeId: flags.nodeId ?? file.cluster?.nodeId,
    heartbeatMs: flags.clusterHeartbeat ?? file.cluster?.heartbeatMs,
    nodeTtlMs: flags.clusterNodeTtl ?? file.cluster?.nodeTtlMs,
  };
}

function adminSettings(
  flags: CliFlags,
  file: FileConfig,
  envToken: string | undefined,
): AdminSettings | undefined {
  const port = flags.adminPort ?? file.admin?.port;
  if (port === undefined) return undefined;
  const token = flags.adminToken ?? (envToken === "" ? undefined : envToken) ?? file.admin?.token;
  return {
    port,
    host: flags.adminHost ?? file.admin?.host ?? DEFAULT_ADMIN_HOST,
    ...(token === undefined ? {} : { token }),
  };
}

/**
 * The listeners the --tls-port, --ws-port and --wss-port flags ask for. The TLS files are
 * checked like a config entry; the error names the flag's key ("--tls-port.cert").
 */
function flagListeners(flags: CliFlags): ListenerConfig[] {
  const listeners: ListenerConfig[] = [];
  const host = flags.host;
  const tlsFiles = {
    ...(flags.tlsCert === undefined ? {} : { cert: flags.tlsCert }),
    ...(flags.tlsKey === undefined ? {} : { key: flags.tlsKey }),
    ...(flags.tlsCa === undefined ? {} : { ca: flags.tlsCa, requestCert: true }),
  };
  const add = (listener: ListenerConfig, flag: string): void => {
    if (host !== undefined) listener.host = host;
    checkListener(listener, "command line", flag);
    listeners.push(listener);
  };
  if (flags.tlsPort !== undefined)
    add({ type: "tls", port: flags.tlsPort, ...tlsFiles }, "--tls-port");
  const path = flags.wsPath === undefined ? {} : { path: flags.wsPath };
  if (flags.wsPort !== undefined) add({ type: "ws", port: flags.wsPort, ...path }, "--ws-port");
  if (flags.wssPort !== undefined) {
    add({ type: "wss", port: flags.wssPort, ...path, ...tlsFiles }, "--wss-port");
  }
  return listeners;
}

/**
 * The broker's own bounded close (BrokerOptions.shutdownTimeoutMs) gets 4 s, so that a slow but
 * bounded close still ends inside the app's 5 s exit guard (run.ts) with exit code 0.
 */
export const BROKER_SHUTDOWN_TIMEOUT_MS = 4_000;

/** The subset of BrokerOptions the app sets (plain data, structurally BrokerOptions). */
export interface AppBrokerOptions {
  logger: { level: LogLevel };
  shutdownTimeoutMs: number;
  sysInterval?: number;
  maxQoS?: 0 | 1 | 2;
  retainAvailable?: boolean;
  maxSessionAgeSeconds?: number;
  limits: LimitsConfig;
}

/** BrokerOptions for these settings; unset values are left to the broker's defaults. */
export function toBrokerOptions(settings: Settings): AppBrokerOptions {
  const options: AppBrokerOptions = {
    logger: { level: settings.logLevel },
    shutdownTimeoutMs: BROKER_SHUTDOWN_TIMEOUT_MS,
    limits: settings.limits,
  };
  if (settings.sysInterval !== undefined) options.sysInterval = settings.sysInterval;
  if (settings.maxQoS !== undefined) options.maxQoS = settings.maxQoS;
  if (settings.retainAvailable !== undefined) options.retainAvailable = settings.retainAvailable;
  if (settings.maxSessionAge !== undefined) options.maxSessionAgeSeconds = settings.maxSessionAge;
  return options;
}

/** `object` without its undefined values (exactOptionalPropertyTypes-friendly). */
function definedOnly<T extends object>(object: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
