/**
 * Starts the broker for the app and stops it on SIGINT/SIGTERM.
 *
 * Design: `state` goes "starting" -> "running" -> "stopping". The first signal starts a
 * shutdown: `broker.close()` (which stops accepting and closes every connection), then exit 0;
 * if close has not finished after `shutdownTimeoutMs` (5 s), exit 1 anyway. A second signal
 * while stopping exits 1 at once, the usual escape hatch when an operator presses Ctrl-C twice.
 * The process, the broker factory and the clock's timers are injected, so tests drive it all.
 */
import type { AppLogger } from "./log.js";
import { type AppBrokerOptions, type Settings, toBrokerOptions } from "./settings.js";

/** What the app needs of a Broker (the @ternmq/broker Broker satisfies it). */
export interface RunnableBroker {
  listen(options: {
    port: number;
    host: string;
  }): Promise<{ readonly port: number; readonly host: string }>;
  close(): Promise<void>;
}

export type ShutdownSignal = "SIGINT" | "SIGTERM";

export interface RunDependencies {
  createBroker(options: AppBrokerOptions): RunnableBroker;
  logger: AppLogger;
  /** Where signals arrive: `process`. */
  signals: {
    on(signal: ShutdownSignal, listener: () => void): unknown;
  };
  exit(code: number): void;
  /** The app's version, logged at start. */
  version: string;
  /** Default 5000. */
  shutdownTimeoutMs?: number;
}

export interface RunningBroker {
  readonly port: number;
  readonly host: string;
  /** What a signal does; exported for tests and embedding. */
  shutdown(signal: ShutdownSignal): void;
}

export const SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * Creates the broker, listens, and installs the signal handlers.
 *
 * Returns: the address it listens on (the real port when `settings.port` is 0).
 * Throws: whatever `listen` throws (address in use, ...), before any handler is installed.
 */
export async function runBroker(settings: Settings, deps: RunDependencies): Promise<RunningBroker> {
  const { logger } = deps;
  const timeoutMs = deps.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  let state: "starting" | "running" | "stopping" = "starting";

  if (!settings.memory) {
    logger.warn(
      { dataDir: settings.dataDir },
      "durable storage is not implemented yet: all state is kept in memory and lost on exit; " +
        "the data directory is not used (pass --memory to silence this warning)",
    );
  }

  const broker = deps.createBroker(toBrokerOptions(settings));
  const listener = await broker.listen({ port: settings.port, host: settings.host });
  // The broker logs "listening" itself; this line adds what the app decided (version, the
  // in-memory mode, the $SYS interval) and is the one scripts read the real port from.
  logger.info(
    {
      version: deps.version,
      host: listener.host,
      port: listener.port,
      memory: settings.memory,
      sysInterval: settings.sysInterval,
    },
    "ternmq-broker started",
  );
  state = "running";

  const shutdown = (signal: ShutdownSignal): void => {
    if (state === "stopping") {
      logger.warn({ signal }, "second signal while stopping: exiting now");
      deps.exit(1);
      return;
    }
    state = "stopping";
    logger.info({ signal }, "shutting down");
    const forceExit = setTimeout(() => {
      logger.error({ timeoutMs }, "broker did not close in time: forcing exit");
      deps.exit(1);
    }, timeoutMs);
    broker.close().then(
      () => {
        clearTimeout(forceExit);
        logger.info({}, "stopped");
        deps.exit(0);
      },
      (error: unknown) => {
        clearTimeout(forceExit);
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "close failed",
        );
        deps.exit(1);
      },
    );
  };

  deps.signals.on("SIGINT", () => shutdown("SIGINT"));
  deps.signals.on("SIGTERM", () => shutdown("SIGTERM"));
  return { port: listener.port, host: listener.host, shutdown };
}
