/**
 * The Broker: options, the shared registries, TCP listeners, shutdown and counters.
 *
 * Design: the Broker owns the public API and builds one BrokerContext that every
 * Connection shares; the protocol work is in `connection.ts` and `handlers/`. Any duplex
 * byte stream can be served (`handleConnection`), so TLS and WebSocket listeners plug in
 * without touching the protocol code; `listen()` is the TCP one.
 *
 * Persistence: every store write goes through one WriteAhead gate (write-ahead rule, see
 * write-ahead.ts and the README "Persistence"); a failed write is fatal: `failStop` logs it,
 * emits `store-failed` and closes the broker. `ready` settles once the stored sessions and
 * the retained count are loaded; `maxSessionAgeSeconds` deletes offline sessions at start
 * and by a periodic sweep.
 *
 * state: "running" -> "closing" (close() called, or a store write failed: listeners stop,
 * connections end without wills, pending writes finish) -> "closed" (stores closed).
 */
import { EventEmitter } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Server } from "node:net";
import type { Duplex } from "node:stream";
import type { QoS } from "@ternmq/codec";
import { MemoryRetainedStore, MemorySessionStore, StoreError } from "@ternmq/session";
import { validateTopicName } from "@ternmq/topics";
import { AddressLimits } from "./address-limits.js";
import { ClusterLink } from "./cluster-link.js";
import { Connection } from "./connection.js";
import { BrokerContext } from "./context.js";
import { BrokerError } from "./errors.js";
import { Hooks } from "./hooks.js";
import { BrokerInspector, type ListenerInfo } from "./inspect.js";
import { createLimitCounters, resolveLimits, validateOptions } from "./limits.js";
import {
  attachWebSocket,
  certificateCommonName,
  createTlsServer,
  DEFAULT_WEBSOCKET_PATH,
  reloadCertificates,
  type SecureListener,
  type TlsOptions,
  tlsServerOptions,
} from "./listeners/index.js";
import { createLogger } from "./logger.js";
import { NodeRetainedStore } from "./node-retained-store.js";
import { RetainedMessages } from "./retained.js";
import { Router } from "./router.js";
import { SessionRegistry } from "./session-registry.js";
import { startSysPublisher } from "./sys/index.js";
import type {
  BrokerEvents,
  BrokerOptions,
  BrokerPersistence,
  BrokerStats,
  Listener,
} from "./types.js";
import { BROKER_VERSION } from "./version.js";
import { WriteAhead } from "./write-ahead.js";
import { FlushScheduler } from "./writer.js";

export type BrokerState = "running" | "closing" | "closed";

const DEFAULT_SYS_INTERVAL_SECONDS = 10;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** The longest pause between two sweeps of expired sessions (`maxSessionAgeSeconds`). */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * An MQTT 3.1.1 broker (3.1 clients accepted) with in-memory state.
 *
 * ```ts
 * const broker = new Broker({ limits: { maxConnections: 1000 } });
 * const listener = await broker.listen({ port: 1883 });
 * // ...
 * await broker.close();
 * ```
 */
export class Broker extends EventEmitter<BrokerEvents> {
  /** Live counters, read by $SYS and metrics. */
  readonly stats: BrokerStats;
  state: BrokerState = "running";
  /**
   * Resolves once the stored sessions and the retained count are loaded (bind listeners
   * after it). Rejects with the store's error when they cannot be read; the broker then
   * closes itself. CONNECT packets received before it resolves wait for it.
   */
  readonly ready: Promise<void>;
  /**
   * Read-only inspection for operations tools (clients, subscriptions, retained topics,
   * listeners, traffic by QoS, reasons of disconnects and drops) and `disconnect(clientId)`.
   */
  readonly inspector: BrokerInspector;

  private readonly context: BrokerContext;
  /** Per-source-address limits; undefined when neither is set. */
  private readonly addressLimits: AddressLimits | undefined;
  private readonly persistence: BrokerPersistence;
  private readonly servers = new Set<Server>();
  /** The bound listeners, for `inspector.listeners()`. */
  private readonly boundListeners = new Map<Server, ListenerInfo>();
  private readonly shutdownTimeoutMs: number;
  private readonly sys: { stop(): void } | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /**
   * Throws: BrokerError MQTT_ERR_BROKER_INVALID_OPTION for an option or limit out of range.
   */
  constructor(options: BrokerOptions = {}) {
    super();
    validateOptions(options);
    const limits = resolveLimits(options.limits);
    const now = options.now ?? Date.now;
    const logger = createLogger(options.logger);
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    const persistence = options.persistence ?? {
      sessions: new MemorySessionStore(),
      retained: new MemoryRetainedStore(),
    };
    this.persistence = {
      sessions: persistence.sessions,
      retained: new NodeRetainedStore(persistence.retained),
    };
    this.stats = {
      startedAt: now(),
      clientsConnected: 0,
      clientsDisconnected: 0,
      clientsMaximum: 0,
      clientsTotal: 0,
      messagesReceived: 0,
      messagesSent: 0,
      messagesDropped: 0,
      bytesReceived: 0,
      bytesSent: 0,
      subscriptionsCount: 0,
      retainedCount: 0,
      limits: createLimitCounters(),
    };
    const addressLimits = new AddressLimits(
      limits.maxConnectionsPerAddress,
      limits.connectionsPerSecondPerAddress,
      this.stats.limits,
    );
    this.addressLimits = addressLimits.active ? addressLimits : undefined;
    const context = new BrokerContext(
      {
        limits,
        maxQoS: options.maxQoS ?? 2,
        retainAvailable: options.retainAvailable ?? true,
        clientIdPattern: options.clientIdPattern,
        topicOptions: { maxLevels: limits.maxTopicLevels },
      },
      new Hooks(options.hooks ?? {}, logger),
      this.stats,
      logger,
      this,
      new FlushScheduler(),
      now,
    );
    context.writes = new WriteAhead((error) => this.failStop(error));
    context.sessionStore = this.persistence.sessions;
    context.router = new Router(context, limits.maxTopicLevels);
    context.registry = new SessionRegistry(
      context.router,
      this.persistence.sessions,
      context.writes,
      this.stats,
      limits,
      logger,
      now,
    );
    context.retained = new RetainedMessages(
      this.persistence.retained,
      context.writes,
      this.stats,
      logger,
      now,
    );
    const cluster =
      options.cluster === undefined ? undefined : new ClusterLink(options.cluster, context);
    context.cluster = cluster;
    context.router.inboxGate = cluster;
    context.registry.cluster = options.cluster;
    this.context = context;
    this.inspector = new BrokerInspector(
      context,
      this.persistence.retained,
      () => this.state,
      () => [...this.boundListeners.values()],
    );
    const maxSessionAgeSeconds = options.maxSessionAgeSeconds;
    // A cluster node holds no offline session: they stay in the shared store until claimed.
    const sessionsLoaded = cluster === undefined ? context.registry.restore() : cluster.start();
    this.ready = Promise.all([sessionsLoaded, context.retained.restore()]).then(
      () => {
        context.restoring = undefined;
        if (maxSessionAgeSeconds !== undefined) this.startSweeping(maxSessionAgeSeconds * 1000);
      },
      (error: unknown) => {
        context.restoring = undefined;
        logger.fatal({ err: error }, "stored state not loaded: broker stopping");
        void this.close();
        throw error;
      },
    );
    this.ready.catch(() => {}); // observed through `ready`; not an unhandled rejection
    context.restoring = this.ready;
    const sysInterval = options.sysInterval ?? DEFAULT_SYS_INTERVAL_SECONDS;
    this.sys =
      sysInterval > 0
        ? startSysPublisher(this, {
            intervalSeconds: sysInterval,
            version: BROKER_VERSION,
            now,
            ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
          })
        : undefined;
  }

  /**
   * Serves one client over any duplex byte stream (TCP, TLS, WebSocket stream).
   * `certificateUsername` (a verified client certificate's CN) replaces the CONNECT username.
   */
  handleConnection(
    stream: Duplex,
    info: { remoteAddress?: string; certificateUsername?: string } = {},
  ): void {
    if (this.state !== "running") {
      stream.destroy();
      return;
    }
    const address = info.remoteAddress;
    if (
      address !== undefined &&
      this.addressLimits !== undefined &&
      !this.addressLimits.admit(stream, address, this.context.now())
    ) {
      return; // closed before CONNECT, counted (see address-limits.ts)
    }
    this.context.connections.add(
      new Connection(this.context, stream, info.remoteAddress, info.certificateUsername),
    );
  }

  /** TCP listener. port 0 = OS-assigned. Resolves once listening. */
  listen(options: { port?: number; host?: string } = {}): Promise<Listener> {
    // Half-open: packets that arrived before the client's FIN are still handled and answered.
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.handleConnection(socket, { remoteAddress: socket.remoteAddress });
    });
    return this.startServer(server, options.port ?? 1883, options.host, "tcp");
  }

  /** TLS listener (MQTT over TLS, 8883 by default). Resolves once listening. */
  async listenTls(options: TlsOptions & { port?: number; host?: string }): Promise<SecureListener> {
    const server = createTlsServer(options, (socket) => {
      socket.setNoDelay(true);
      const info: { remoteAddress?: string; certificateUsername?: string } = {
        remoteAddress: socket.remoteAddress,
      };
      if (options.usernameFromCertificateCN === true) {
        const commonName = certificateCommonName(socket);
        if (commonName !== undefined) info.certificateUsername = commonName;
      }
      this.handleConnection(socket, info);
    });
    const listener = await this.startServer(server, options.port ?? 8883, options.host, "tls");
    return {
      ...listener,
      reload: (certificates) => reloadCertificates(server, options, certificates),
    };
  }

  /** WebSocket listener (ws://host:port/mqtt by default). Resolves once listening. */
  listenWebSocket(
    options: { port?: number; host?: string; path?: string } = {},
  ): Promise<Listener> {
    const server = createHttpServer();
    const path = options.path ?? DEFAULT_WEBSOCKET_PATH;
    attachWebSocket(server, path, (stream, request) => {
      this.handleConnection(stream, { remoteAddress: request.socket.remoteAddress });
    });
    return this.startServer(server, options.port ?? 80, options.host, "ws", path);
  }

  /** Secure WebSocket listener (wss://); TLS options as for `listenTls`. */
  async listenWebSocketSecure(
    options: TlsOptions & { port?: number; host?: string; path?: string },
  ): Promise<SecureListener> {
    const server = createHttpsServer(tlsServerOptions(options));
    const path = options.path ?? DEFAULT_WEBSOCKET_PATH;
    attachWebSocket(server, path, (stream, request) => {
      this.handleConnection(stream, { remoteAddress: request.socket.remoteAddress });
    });
    const listener = await this.startServer(server, options.port ?? 443, options.host, "wss", path);
    return {
      ...listener,
      reload: (certificates) => reloadCertificates(server, options, certificates),
    };
  }

  private startServer(
    server: Server,
    port: number,
    host: string | undefined,
    type: "tcp" | "tls" | "ws" | "wss",
    path?: string,
  ): Promise<Listener> {
    if (this.state !== "running") {
      return Promise.reject(new BrokerError("MQTT_ERR_BROKER_CLOSED", "the broker is closed"));
    }
    this.servers.add(server);
    return new Promise<Listener>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        server.on("error", (error) => {
          this.context.logger.error({ err: error, type }, "listener error");
        });
        const address = server.address();
        const boundPort = typeof address === "object" && address !== null ? address.port : 0;
        const boundHost =
          typeof address === "object" && address !== null ? address.address : (host ?? "");
        this.context.logger.info({ port: boundPort, host: boundHost, type }, "listening");
        this.boundListeners.set(server, {
          type,
          host: boundHost,
          port: boundPort,
          ...(path === undefined ? {} : { path }),
        });
        resolve({ port: boundPort, host: boundHost, close: () => this.closeServer(server) });
      });
    });
  }

  /**
   * Stops accepting, closes every connection (no wills for a broker shutdown; persistent
   * sessions record their disconnect), then closes the stores, which finish their pending
   * writes. Resolves when done, or after `shutdownTimeoutMs` at the latest.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /**
   * Publishes as the broker itself (used by $SYS and plugins): no ACL, no $SYS check.
   * Resolves once a retained message is stored.
   *
   * Throws (rejects): TopicError for an invalid topic name; BrokerError
   * MQTT_ERR_BROKER_CLOSED after `close()`.
   */
  async publish(message: {
    topic: string;
    payload: Uint8Array;
    qos: QoS;
    retain: boolean;
  }): Promise<void> {
    if (this.state !== "running") {
      throw new BrokerError("MQTT_ERR_BROKER_CLOSED", "the broker is closed");
    }
    const error = validateTopicName(message.topic, this.context.settings.topicOptions);
    if (error !== undefined) throw error;
    if (this.context.restoring !== undefined) await this.context.restoring;
    await this.context.publish(message, undefined);
  }

  /**
   * Deletes the offline persistent sessions older than `maxAgeMs` since their disconnect,
   * now and then periodically (every `maxAgeMs`, at most a minute apart).
   */
  private startSweeping(maxAgeMs: number): void {
    if (this.state !== "running") return; // closed while loading
    const cluster = this.context.cluster;
    const sweep = (): void => {
      if (this.state !== "running") return;
      const now = this.context.now();
      if (cluster === undefined) {
        this.context.registry.sweep(now, maxAgeMs);
        return;
      }
      // A cluster node holds no offline session: they are expired in the shared store.
      cluster.bus.expireSessions(maxAgeMs, now).then(
        (deleted) => {
          if (deleted > 0) this.context.logger.info({ deleted }, "expired sessions deleted");
        },
        (error: unknown) => this.context.logger.error({ err: error }, "session expiry failed"),
      );
    };
    sweep();
    this.sweepTimer = setInterval(sweep, Math.min(maxAgeMs, MAX_SWEEP_INTERVAL_MS));
    this.sweepTimer.unref();
  }

  /**
   * A store write failed: memory is ahead of the disk, so nothing more may be acknowledged.
   * Logs at `fatal`, emits `store-failed`, closes the broker (no wills). A restart resumes
   * from the last commit. A write refused because the store was closed during `close()` is
   * expected and only logged.
   */
  private failStop(error: unknown): void {
    const storeError =
      error instanceof Error && StoreError.isStoreError(error)
        ? error
        : new StoreError("MQTT_ERR_STORE_IO", "store write failed", { cause: error });
    const logger = this.context.logger;
    if (this.state !== "running" && storeError.code === "MQTT_ERR_STORE_CLOSED") {
      logger.debug({ err: storeError }, "store write after close");
      return;
    }
    logger.fatal({ err: storeError }, "store write failed: broker stopping");
    this.emit("store-failed", storeError);
    void this.close();
  }

  private async shutDown(): Promise<void> {
    this.state = "closing";
    this.sys?.stop();
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.shutdownTimeoutMs);
      timer.unref();
    });
    const work = async (): Promise<void> => {
      await this.context.restoring?.catch(() => {});
      const servers = [...this.servers].map((server) => this.closeServer(server));
      // Each persistent session records its disconnect; the stores' close() waits for it.
      for (const connection of [...this.context.connections]) connection.close("server-shutdown");
      await Promise.allSettled(servers);
      await this.context.cluster?.bus.close().catch((error: unknown) => {
        this.context.logger.error({ err: error }, "cluster: leaving failed");
      });
      await Promise.allSettled([
        this.persistence.sessions.close(),
        this.persistence.retained.close(),
      ]);
    };
    try {
      await Promise.race([work(), deadline]);
    } finally {
      clearTimeout(timer);
      this.state = "closed";
      this.context.logger.info("broker closed");
    }
  }

  private closeServer(server: Server): Promise<void> {
    this.servers.delete(server);
    this.boundListeners.delete(server);
    return new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });
  }
}
