/**
 * Starts the broker for the app and stops it on SIGINT/SIGTERM.
 *
 * Design: `state` goes "starting" -> "running" -> "stopping". The first signal starts a
 * shutdown: `broker.close()` (which stops accepting and closes every connection), then exit 0;
 * if close has not finished after `shutdownTimeoutMs` (5 s), exit 1 anyway. A second signal
 * while stopping exits 1 at once, the usual escape hatch when an operator presses Ctrl-C twice.
 * The process, the broker factory and the clock's timers are injected, so tests drive it all.
 */
import { readFile } from "node:fs/promises";
import type { ListenerConfig } from "./config.js";
import type { AppLogger } from "./log.js";
import { type AppBrokerOptions, type Settings, toBrokerOptions } from "./settings.js";

interface StartedListener {
  readonly port: number;
  readonly host: string;
}

/** PEM contents read from a listener's cert, key and ca files. */
export interface CertificateFiles {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

interface SecureStartedListener extends StartedListener {
  reload(certificates: CertificateFiles): void;
}

type TlsListenOptions = CertificateFiles & {
  port: number;
  host: string;
  requestCert?: boolean;
  minVersion?: "TLSv1.2" | "TLSv1.3";
};

/** What the app needs of a Broker (the @ternmq/broker Broker satisfies it). */
export interface RunnableBroker {
  listen(options: { port: number; host: string }): Promise<StartedListener>;
  listenTls(
    options: TlsListenOptions & { usernameFromCertificateCN?: boolean },
  ): Promise<SecureStartedListener>;
  listenWebSocket(options: { port: number; host: string; path?: string }): Promise<StartedListener>;
  listenWebSocketSecure(
    options: TlsListenOptions & { path?: string },
  ): Promise<SecureStartedListener>;
  close(): Promise<void>;
}

export type ShutdownSignal = "SIGINT" | "SIGTERM";

export interface RunDependencies {
  createBroker(options: AppBrokerOptions): RunnableBroker;
  logger: AppLogger;
  /** Where signals arrive: `process`. */
  signals: {
    on(signal: ShutdownSignal | "SIGHUP", listener: () => void): unknown;
  };
  /** Re-reads the password and ACL files (SIGHUP), when file auth is configured. */
  reloadAuth?(): Promise<void>;
  /** Reads a certificate file; default node:fs readFile. */
  readFile?(path: string): Promise<Buffer>;
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
  const readCertificateFile = deps.readFile ?? ((path: string) => readFile(path));
  const secureListeners: { config: ListenerConfig; listener: SecureStartedListener }[] = [];
  const startedListeners: { type: ListenerConfig["type"]; host: string; port: number }[] = [];
  for (const config of settings.listeners) {
    const started = await startListener(broker, config, settings.host, readCertificateFile);
    if ("reload" in started) secureListeners.push({ config, listener: started });
    startedListeners.push({ type: config.type, host: started.host, port: started.port });
  }
  // The broker logs "listening" itself; this line adds what the app decided (version, the
  // in-memory mode, the $SYS interval) and is the one scripts read the real port from.
  logger.info(
    {
      version: deps.version,
      host: listener.host,
      port: listener.port,
      memory: settings.memory,
      sysInterval: settings.sysInterval,
      listeners: startedListeners,
    },
    "ternmq-broker started",
  );
  state = "running";

  // SIGHUP: re-read every certificate file (a listener whose files fail keeps its old ones)
  // and the password and ACL files (kept as they were if the new ones do not parse).
  const reloadFiles = async (): Promise<void> => {
    if (deps.reloadAuth !== undefined) {
      try {
        await deps.reloadAuth();
        logger.info({}, "password and ACL files reloaded");
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.error({ err: reason }, "password or ACL reload failed");
      }
    }
    for (const { config, listener } of secureListeners) {
      try {
        listener.reload(await readCertificates(config, readCertificateFile));
        logger.info({ type: config.type, port: listener.port }, "certificates reloaded");
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.error({ type: config.type, port: listener.port, err: reason }, "reload failed");
      }
    }
  };

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
  deps.signals.on("SIGHUP", () => void reloadFiles());
  return { port: listener.port, host: listener.host, shutdown };
}

async function readCertificates(
  config: ListenerConfig,
  read: (path: string) => Promise<Buffer>,
): Promise<CertificateFiles> {
  // checkListener (config.ts) made sure that tls and wss listeners have cert and key.
  const files: CertificateFiles = {
    cert: await read(config.cert ?? ""),
    key: await read(config.key ?? ""),
  };
  if (config.ca !== undefined) files.ca = await read(config.ca);
  return files;
}

/** Starts one configured listener; tls and wss read their certificate files first. */
async function startListener(
  broker: RunnableBroker,
  config: ListenerConfig,
  defaultHost: string,
  read: (path: string) => Promise<Buffer>,
): Promise<StartedListener | SecureStartedListener> {
  const address = { port: config.port, host: config.host ?? defaultHost };
  const path = config.path === undefined ? {} : { path: config.path };
  if (config.type === "tcp") return broker.listen(address);
  if (config.type === "ws") return broker.listenWebSocket({ ...address, ...path });
  const tls: TlsListenOptions = { ...address, ...(await readCertificates(config, read)) };
  if (config.requestCert !== undefined) tls.requestCert = config.requestCert;
  if (config.minVersion !== undefined) tls.minVersion = config.minVersion;
  if (config.type === "wss") return broker.listenWebSocketSecure({ ...tls, ...path });
  return broker.listenTls({
    ...tls,
    ...(config.usernameFromCertificateCN === undefined
      ? {}
      : { usernameFromCertificateCN: config.usernameFromCertificateCN }),
  });
}
