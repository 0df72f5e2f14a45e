/**
 * The command-line flags of the broker's abuse limits (issue 9). Each flag is named after its
 * `limits` key (commander turns `--max-topic-length` into `maxTopicLength`), takes a positive
 * integer, and overrides the config file's value.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { LimitsConfig } from "./config.js";

/** The limits that have a flag: [flag, limits key, help text]. */
const LIMIT_FLAGS = [
  [
    "--max-connections-per-address <n>",
    "maxConnectionsPerAddress",
    "open connections per source address; more are closed before CONNECT (default: no limit)",
  ],
  [
    "--connections-per-second-per-address <n>",
    "connectionsPerSecondPerAddress",
    "new connections per second per source address; excess ones are closed (default: no limit)",
  ],
  [
    "--messages-per-second-per-client <n>",
    "messagesPerSecondPerClient",
    "PUBLISH per second per client: QoS 0 beyond is dropped, QoS 1/2 slowed (default: no limit)",
  ],
  [
    "--bytes-per-second-per-client <n>",
    "bytesPerSecondPerClient",
    "PUBLISH payload bytes per second per client, enforced the same way (default: no limit)",
  ],
  [
    "--max-subscriptions-per-client <n>",
    "maxSubscriptionsPerClient",
    "subscriptions per client; SUBACK 0x80 beyond (default: 10000)",
  ],
  [
    "--max-topic-length <n>",
    "maxTopicLength",
    "longest topic name or filter in characters (default: 65535)",
  ],
] as const;

type LimitFlagKey = (typeof LIMIT_FLAGS)[number][1];

/** The parsed limit flags (absent when not given). */
export type LimitFlags = { [K in LimitFlagKey]?: number };

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError("expected an integer >= 1.");
  }
  return number;
}

/** Adds the limit flags to `program`. */
export function addLimitOptions(program: Command): Command {
  for (const [flag, , description] of LIMIT_FLAGS) {
    program.option(flag, description, parsePositiveInteger);
  }
  return program;
}

/** The limits that the flags set, to lay over the config file's `limits`. */
export function limitsFromFlags(flags: LimitFlags): LimitsConfig {
  const limits: LimitsConfig = {};
  for (const [, key] of LIMIT_FLAGS) {
    const value = flags[key];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}
