/**
 * The one pino logger of the process: the app's own lines (started, warnings, shutdown) and
 * the broker's connection logs go through it, as JSON lines on stdout.
 */
import { type DestinationStream, type Logger, pino } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the app itself logs with (a pino Logger satisfies it). */
export type AppLogger = Pick<Logger, "info" | "warn" | "error">;

/** A logger at `level`, writing to stdout unless a destination is given (tests). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ name: "ternmq-broker", level }, destination);
}
