/**
 * The broker's pino logger: an instance passed in, or a new one at the level asked for.
 */
import { type Logger, pino } from "pino";
import type { BrokerOptions } from "./types.js";

function isLogger(value: BrokerOptions["logger"]): value is Logger {
  return (
    typeof value === "object" && value !== null && typeof (value as Logger).child === "function"
  );
}

export function createLogger(option: BrokerOptions["logger"]): Logger {
  if (isLogger(option)) return option;
  return pino({ name: "ternmq-broker", level: option?.level ?? "info" });
}
