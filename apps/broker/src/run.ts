/**
 * Starts the broker for the app and stops it on SIGINT/SIGTERM or a failed store write.
 *
 * Design: `state` goes "starting" -> "running" -> "stopping". Starting opens the durable
 * store (unless `memory`), creates the broker, waits until it has restored the stored
 * sessions and retained messages, and only then binds the listeners, so no client ever
 * talks to a half-restored broker; the admin HTTP server (`settings.admin`, via
 * `deps.startAdmin`) starts after them and is closed first when stopping. A failure on the
 * way (the store is locked, corrupt, from a newer release, the admin port taken, ...) closes
 * what was opened and is thrown: the app prints it as one line and exits 1. The first signal starts a shutdown: `broker.close()`
 * (which stops accepting, closes every connection and the store), then exit 0; if close has
 * not finished after `shutdownTimeoutMs` (5 s), exit 1 anyway. A second signal while
 * stopping exits 1 at once, the usual escape hatch when an operator presses Ctrl-C twice. A
 * `store-failed` event (a commit failed: memory is ahead of the disk, so the broker closed
 * itself to acknowledge nothing more) stops the same way with exit 1.
 * The process, the broker and store factories and the timers are injected, so tests drive
 * it all.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import type { BrokerPersistence, ClusterBus } from "@ternmq/broker";
import type { Durability, ListenerConfig } from "./config.js";
import type { AppLogger } from "./log.js";
import {
  type AdminSettings,
  type AppBrokerOptions,
  type ClusterSettings,
  type Settings,
  toBrokerOptions,
} from "./settings.js";
import { reloadablePaths, watchFiles } from "./watch-files.js";

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
  /** Settles once the stored sessions and retained messages are loaded; rejects if not. */
  readonly ready: Promise<void>;
  /** A store write failed; the broker closes itself. */
  on(event: "store-failed", listener: (error: Error) => void): unknown;
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

/** Where and how the durable store is opened (`openSqliteStore` takes these). */
export interface StoreOptions {
  directory: string;
  durability: Durability;
  commitWindowMs: number;
}

/** An open durable store: the broker's two stores plus the database file they share. */
export interface AppStore extends BrokerPersistence {
  /** Absolute path of the database file. */
  readonly path: string;
  /** Closes both stores (the broker's `close()` does it too; used when start-up fails). */
  close(): Promise<void>;
}

/** A cluster connection: the shared stores and the bus the broker joins the cluster with. */
export interface AppCluster extends BrokerPersistence {
  readonly nodeId: string;
  /** Passed on to the broker as `BrokerOptions.cluster`. */
  readonly bus: ClusterBus;
  /** Closes the Redis connections (the broker's `close()` leaves the cluster first). */
  close(): Promise<void>;
}

/** The admin HTTP server once listening (`startAdminServer` of @ternmq/admin). */
export interface StartedAdmin {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export interface RunDependencies<B extends RunnableBroker = RunnableBroker> {
  /**
   * `persistence` is undefined with `memory` (the broker's in-memory stores); `cluster` is
   * the joined cluster in cluster mode (its stores are `persistence` then).
   */
  createBroker(
    options: AppBrokerOptions,
    persistence: BrokerPersistence | undefined,
    cluster?: AppCluster,
  ): B;
  /**
   * Cluster mode (`settings.cluster`): connects to Redis and returns the node's bus and the
   * shared stores (`openRedisCluster` of @ternmq/redis). Joining happens in the broker.
   */
  openCluster?(settings: ClusterSettings & { nodeId: string }): Promise<AppCluster>;
  /**
   * Starts the admin server (`settings.admin` set) once the listeners are bound; a failure
   * (port in use, exposed without a token or password file) fails the start.
   */
  startAdmin?(broker: B, admin: AdminSettings): Promise<StartedAdmin>;
  /**
   * Opens the durable store (`openSqliteStore`); not called with `memory`. Throws (a
   * StoreError naming the file and the cause) when the folder cannot be used.
   */
  openStore(options: StoreOptions): AppStore;
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
 * Opens the store, creates the broker, waits for its restore, listens, and installs the
 * signal handlers.
 *
 * Returns: the address it listens on (the real port when `settings.port` is 0).
 * Throws: the store's error (a StoreError naming the file and the cause), a failed restore,
 * or whatever `listen` throws (address in use, ...); what was opened is closed first, and
 * no signal handler is installed.
 */
export async function runBroker<B extends RunnableBroker>(
  settings: Settings,
  deps: RunDependencies<B>,
): Promise<RunningBroker> {
  const { logger } = deps;
  const timeoutMs = deps.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  let state: "starting" | "running" | "stopping" = "starting";

  const cluster = await openClusterIfAsked(settings, deps);
  const store =
    settings.memory || cluster !== undefined
      ? undefined
      : deps.openStore({
          directory: settings.dataDir,
          durability: settings.durability,
          commitWindowMs: settings.commitWindow,
        });
  let broker: B;
  try {
    broker = deps.createBroker(toBrokerOptions(settings), store ?? cluster, cluster);
  } catch (error) {
    await store?.close();
    await cluster?.close();
    throw error;
  }
  // A store failure while starting is the error to report (listen would only say "closed").
  let startupStoreFailure: Error | undefined;
  broker.on("store-failed", (error) => {
    if (state === "starting") {
      startupStoreFailure ??= error;
      return;
    }
    if (state === "stopping") return;
    logger.error({ err: errorLine(error) }, "store write failed: the broker stopped, exiting");
    stop(1);
  });

  const readCertificateFile = deps.readFile ?? ((path: string) => readFile(path));
  const secureListeners: { config: ListenerConfig; listener: SecureStartedListener }[] = [];
  const startedListeners: { type: ListenerConfig["type"]; host: string; port: number }[] = [];
  let listener: StartedListener;
  let admin: StartedAdmin | undefined;
  try {
    await broker.ready;
    if (startupStoreFailure !== undefined) throw startupStoreFailure;
    listener = await broker.listen({ port: settings.port, host: settings.host });
    for (const config of settings.listeners) {
      const started = await startListener(broker, config, settings.host, readCertificateFile);
      if ("reload" in started) secureListeners.push({ config, listener: started });
      startedListeners.push({ type: config.type, host: started.host, port: started.port });
    }
    if (settings.admin !== undefined && deps.startAdmin !== undefined) {
      admin = await deps.startAdmin(broker, settings.admin);
    }
  } catch (error) {
    await broker.close().catch(() => undefined);
    await cluster?.close();
    throw startupStoreFailure ?? error;
  }
  // The broker logs "listening" itself; this line adds what the app decided (version, the
  // store, the $SYS interval) and is the one scripts read the real port from.
  logger.info(
    {
      version: deps.version,
      host: listener.host,
      port: listener.port,
      memory: settings.memory,
      ...(store === undefined
        ? {}
        : {
            store: store.path,
            durability: settings.durability,
            commitWindow: settings.commitWindow,
          }),
      ...(cluster === undefined
        ? {}
        : { cluster: { nodeId: cluster.nodeId, redis: redactUrl(settings.cluster?.redis) } }),
      sysInterval: settings.sysInterval,
      listeners: startedListeners,
      ...(admin === undefined ? {} : { admin: { host: admin.host, port: admin.port } }),
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

  // --watch-files (default on): the same reload when one of those files changes.
  const watchedPaths = settings.watchFiles ? reloadablePaths(settings) : [];
  const fileWatch =
    watchedPaths.length === 0
      ? undefined
      : watchFiles(watchedPaths, {
          onChange: (files) => {
            logger.info({ files }, "watched files changed: reloading");
            void reloadFiles();
          },
          onError: (path, error) => {
            logger.warn({ path, err: error.message }, "cannot watch for changes (SIGHUP reloads)");
          },
        });

  /** Closes the broker (and with it the store), then exits with `exitCode`. */
  function stop(exitCode: 0 | 1): void {
    state = "stopping";
    fileWatch?.close();
    void admin?.close();
    const forceExit = setTimeout(() => {
      logger.error({ timeoutMs }, "broker did not close in time: forcing exit");
      deps.exit(1);
    }, timeoutMs);
    broker
      .close()
      .then(() => cluster?.close())
      .then(
        () => {
          clearTimeout(forceExit);
          logger.info({}, "stopped");
          deps.exit(exitCode);
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
  }

  const shutdown = (signal: ShutdownSignal): void => {
    if (state === "stopping") {
      logger.warn({ signal }, "second signal while stopping: exiting now");
      deps.exit(1);
      return;
    }
    logger.info({ signal }, "shutting down");
    stop(0);
  };

  deps.signals.on("SIGINT", () => shutdown("SIGINT"));
  deps.signals.on("SIGTERM", () => shutdown("SIGTERM"));
  deps.signals.on("SIGHUP", () => void reloadFiles());
  return { port: listener.port, host: listener.host, shutdown };
}

/** Connects to the cluster's Redis when `settings.cluster` asks for it (the broker joins). */
async function openClusterIfAsked(
  settings: Settings,
  deps: RunDependencies<RunnableBroker>,
): Promise<AppCluster | undefined> {
  const cluster = settings.cluster;
  if (cluster === undefined) return undefined;
  if (deps.openCluster === undefined) throw new Error("cluster mode is not available here");
  return deps.openCluster({ ...cluster, nodeId: cluster.nodeId ?? `${hostname()}-${process.pid}` });
}

/** `url` without its password, for logs. */
function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * One line for an error the app reports (a store or config error, a failed listen): the
 * message, which names the file and the cause, with its `code` when it has one.
 */
export function errorLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
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
