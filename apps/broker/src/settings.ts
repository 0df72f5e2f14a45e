/**
 * Merges the three sources of settings, lowest precedence first: built-in defaults, the config
 * file, the command-line flags; and maps the result onto BrokerOptions.
 */

import type { CliFlags } from "./cli.js";
import type { FileConfig, LimitsConfig } from "./config.js";
import type { LogLevel } from "./log.js";

export interface Settings {
  port: number;
  host: string;
  logLevel: LogLevel;
  dataDir: string;
  memory: boolean;
  /** Unset: the broker's default (10 s). */
  sysInterval: number | undefined;
  maxQoS: 0 | 1 | 2 | undefined;
  retainAvailable: boolean | undefined;
  limits: LimitsConfig;
}

export const DEFAULTS = {
  port: 1883,
  host: "0.0.0.0",
  logLevel: "info",
  dataDir: "./data",
  memory: false,
} as const satisfies Partial<Settings>;

/** Flags override the file, the file overrides the defaults. */
export function resolveSettings(flags: CliFlags, file: FileConfig): Settings {
  return {
    port: flags.port ?? file.port ?? DEFAULTS.port,
    host: flags.host ?? file.host ?? DEFAULTS.host,
    logLevel: flags.logLevel ?? file.logLevel ?? DEFAULTS.logLevel,
    dataDir: flags.dataDir ?? file.dataDir ?? DEFAULTS.dataDir,
    memory: flags.memory ?? file.memory ?? DEFAULTS.memory,
    sysInterval: flags.sysInterval ?? file.sysInterval,
    maxQoS: file.maxQoS,
    retainAvailable: file.retainAvailable,
    limits: { ...file.limits },
  };
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
  return options;
}
