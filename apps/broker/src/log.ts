/**
 * The app's own log lines (started, warnings, shutdown), in pino's JSON line format so that
 * they interleave with the broker's pino logs on stdout: {"level":30,"time":...,"msg":...}.
 * The app has no pino dependency of its own; the broker creates its logger from `logLevel`.
 */
import { hostname } from "node:os";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's numeric levels. */
const LEVEL_NUMBERS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface AppLogger {
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** A logger writing lines at or above `level` to `write` (default: stdout). */
export function createAppLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): AppLogger {
  const threshold = LEVEL_NUMBERS[level];
  const base = { pid: process.pid, hostname: hostname() };
  const log = (lineLevel: LogLevel, fields: LogFields, message: string): void => {
    const levelNumber = LEVEL_NUMBERS[lineLevel];
    if (levelNumber < threshold) return;
    const line = { level: levelNumber, time: Date.now(), ...base, ...fields, msg: message };
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (fields, message) => log("info", fields, message),
    warn: (fields, message) => log("warn", fields, message),
    error: (fields, message) => log("error", fields, message),
  };
}
