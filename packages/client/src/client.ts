/**
 * MqttClient: the promise API over the session engine, a transport and a timer.
 *
 * Design: a shell around one `ClientSession` (QoS flows, packet ids, inflight window,
 * offline queue, keepalive deadlines) and one codec `Decoder` per connection. Every engine
 * call returns a Step; `process()` writes its packets, settles the promises its events name
 * and persists what must survive. Promises are found from engine events by the message
 * object passed to `publish()` (QoS 1/2), by FIFO order (QoS 0: they leave in publish
 * order) or by packet id (SUBSCRIBE/UNSUBSCRIBE). Three timers at most: the engine's
 * `nextDeadline()` (keepalive), the connect timeout and the reconnect backoff, all through
 * the injectable `Timers`.
 *
 * `state` transitions:
 *
 * | from               | on                                         | to             |
 * |--------------------|--------------------------------------------|----------------|
 * | (new)              | connect()                                  | connecting     |
 * | connecting         | CONNACK 0                                  | connected      |
 * | connecting         | CONNACK 1/2/4/5, or any failure without    | closed         |
 * |                    | reconnect (or of connectAsync's 1st try)   |                |
 * | connecting/connected | transport closed, timeout, ping timeout, | waiting        |
 * |                    | protocol error (reconnect on)              |                |
 * | connected          | same, reconnect off                        | closed         |
 * | waiting            | backoff delay elapsed                      | connecting     |
 * | connected          | end() with work in flight                  | ending         |
 * | ending             | inflight done / timeout / connection lost  | ended          |
 * | any but ended      | end({ force: true }), end() when idle      | ended          |
 *
 * In `closed` and `ended` every pending promise has settled and new calls reject.
 */
import {
  type ConnectPacket,
  Decoder,
  encode,
  MqttError,
  type Packet,
  type Subscription,
} from "@ternmq/codec";
import {
  ClientSession,
  type ClientSessionOptions,
  type MessageEvent,
  type SessionEvent,
  type SessionMessage,
  type SessionSnapshot,
  type Step,
} from "@ternmq/session";
import type {
  ClientEvents,
  EndOptions,
  MessagesOptions,
  PublishOptions,
  SubscribeFilters,
  SubscribeOptions,
  SubscribeResult,
} from "./api-types.js";
import { buildConnect, checkFilter, toFilters, toMessage, toSubscriptions } from "./arguments.js";
import { backoffDelay } from "./backoff.js";
import { TypedEmitter } from "./emitter.js";
import { ClientError, invalidArgument } from "./errors.js";
import { FilterHandlers } from "./filter-handlers.js";
import { handleConnack, isFinalRefusal } from "./handlers/connack.js";
import { subscribeResults } from "./handlers/suback.js";
import { MessageStream } from "./message-stream.js";
import type { ResolvedOptions } from "./options.js";
import { PendingOperations, type PendingRequest, type Settle } from "./pending.js";
import { SessionPersistence } from "./persistence.js";
import type { ReceivedMessage } from "./received-message.js";
import { Deadline, type Timers } from "./timers.js";
import type { ServerAddress, Transport, TransportFactory } from "./transport.js";

export type ClientState = "connecting" | "connected" | "waiting" | "ending" | "closed" | "ended";

/** One network connection: everything that dies with it. */
interface Connection {
  transport: Transport | undefined;
  readonly decoder: Decoder;
  phase: "opening" | "connect-sent" | "established";
  /** Called when the transport reports close (a graceful end waits for it). */
  onClosed: (() => void) | undefined;
}

/** How the client was created; see connect() and connectAsync(). */
export interface ClientSetup {
  readonly address: ServerAddress;
  readonly options: ResolvedOptions;
  readonly timers: Timers;
  readonly transport: TransportFactory;
  /** connectAsync: the first failure ends the client instead of reconnecting. */
  readonly failFast: boolean;
}

const noop = () => {};
const DEFAULT_END_TIMEOUT_MS = 10_000;

export class MqttClient extends TypedEmitter<ClientEvents> {
  private clientState: ClientState = "connecting";
  private readonly options: ResolvedOptions;
  private readonly timers: Timers;
  private readonly address: ServerAddress;
  private readonly openTransport: TransportFactory;
  private readonly encodeOptions: { protocolVersion: 3 | 4 };
  private readonly connectPacket: ConnectPacket;
  private failFast: boolean;
  /** Undefined while a stored session is being loaded. */
  private session: ClientSession | undefined;
  private persistence: SessionPersistence | undefined;
  private readonly sessionReady: Promise<void>;
  /** Messages published while the stored session was loading. */
  private beforeLoad: SessionMessage[] = [];
  private connection: Connection | undefined;
  private readonly keepaliveTimer: Deadline;
  private readonly connectTimer: Deadline;
  private readonly reconnectTimer: Deadline;
  private readonly endTimer: Deadline;
  private attempt = 0;
  private readonly pending = new PendingOperations();
  /** Filters granted by the server, resubscribed when it reports no session. */
  private readonly subscriptions = new Map<string, Subscription>();
  /** Outbound QoS 2 ids whose PUBREC arrived: the server owns those messages. */
  private readonly pubrecReceived = new Set<number>();
  private readonly handlers = new FilterHandlers();
  private readonly streams = new Set<MessageStream>();
  private connectWaiter: Settle<void> | undefined;
  private endPromise: Promise<void> | undefined;
  private endDone: (() => void) | undefined;

  /** Use `connect()` or `connectAsync()`. */
  constructor(setup: ClientSetup) {
    super();
    const { options } = setup;
    this.options = options;
    this.timers = setup.timers;
    this.address = setup.address;
    this.openTransport = setup.transport;
    this.failFast = setup.failFast;
    this.encodeOptions = { protocolVersion: options.protocolVersion as 3 | 4 };
    this.connectPacket = buildConnect(options);
    this.keepaliveTimer = new Deadline(this.timers, () => this.onKeepaliveDeadline());
    this.connectTimer = new Deadline(this.timers, () => this.onConnectTimeout());
    this.reconnectTimer = new Deadline(this.timers, () => this.onReconnectDue());
    this.endTimer = new Deadline(this.timers, () => this.finishEnd());
    const store = options.store;
    if (store !== undefined && !options.clean) {
      this.sessionReady = SessionPersistence.open(store, options.clientId, (error) =>
        this.emit("error", error),
      )
        .then(({ persistence, snapshot }) => {
          this.persistence = persistence;
          return snapshot;
        })
        .catch((error: unknown) => {
          this.emit("error", storeError(error));
          return undefined;
        })
        .then((snapshot) => this.startSession(snapshot));
    } else {
      if (store !== undefined && options.clientId !== "") {
        // A clean session starts from nothing, in the store too.
        store
          .delete(options.clientId)
          .catch((error: unknown) => this.emit("error", storeError(error)));
      }
      this.session = new ClientSession(this.sessionOptions());
      this.sessionReady = Promise.resolve();
    }
    this.openConnection();
  }

  /** See the transition table in the module comment. */
  get state(): ClientState {
    return this.clientState;
  }

  /** True while a CONNACK-accepted connection is up. */
  get connected(): boolean {
    return this.connection?.phase === "established";
  }

  /**
   * Publishes a message. Resolves when written (QoS 0), on PUBACK (QoS 1), on PUBCOMP
   * (QoS 2). While offline, QoS 1/2 messages (and QoS 0 with `offlineQueue.qos0`) wait in the
   * bounded offline queue.
   *
   * Rejects: MQTT_ERR_CLIENT_INVALID_ARGUMENT (topic, payload, QoS),
   * MQTT_ERR_CLIENT_QUEUE_FULL (the queue is at its limit: the NEW message is refused),
   * MQTT_ERR_CLIENT_CONNECTION_CLOSED (QoS 0 while offline; the client closed for good),
   * MQTT_ERR_CLIENT_ENDED (`end()`).
   */
  publish(
    topic: string,
    payload: string | Uint8Array,
    options: PublishOptions = {},
  ): Promise<void> {
    let message: SessionMessage;
    try {
      message = toMessage(topic, payload, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (message.qos === 0 && !this.connected && !this.options.queue.qos0) {
      return Promise.reject(
        new ClientError(
          "MQTT_ERR_CLIENT_CONNECTION_CLOSED",
          "offline: QoS 0 messages are not queued (offlineQueue.qos0)",
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.addPublish(message, { resolve, reject });
      const session = this.session;
      if (session === undefined) this.beforeLoad.push(message);
      else this.process(session.publish(message, this.timers.now()));
    });
  }

  /**
   * Subscribes to one filter, several at one QoS, or `{ [filter]: { qos } }`. Resolves with
   * the SUBACK's answer per filter (0x80: refused, unless `rejectOnFailure`). While offline
   * the request waits for the connection. Granted filters are subscribed again when a
   * reconnect finds no session on the server.
   *
   * Rejects: MQTT_ERR_CLIENT_INVALID_ARGUMENT, MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED,
   * MQTT_ERR_CLIENT_PACKET_IDS_EXHAUSTED, MQTT_ERR_CLIENT_CONNECTION_CLOSED,
   * MQTT_ERR_CLIENT_ENDED.
   */
  subscribe(filters: SubscribeFilters, options: SubscribeOptions = {}): Promise<SubscribeResult[]> {
    let subscriptions: Subscription[];
    try {
      subscriptions = toSubscriptions(filters, options.qos ?? 0);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<SubscribeResult[]>((resolve, reject) => {
      this.request({
        kind: "subscribe",
        subscriptions,
        rejectOnFailure: options.rejectOnFailure ?? false,
        resolve,
        reject,
      });
    });
  }

  /** Unsubscribes; resolves on UNSUBACK. Rejects as `subscribe` does. */
  unsubscribe(filters: string | readonly string[]): Promise<void> {
    let list: string[];
    try {
      list = toFilters(filters);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.request({ kind: "unsubscribe", filters: list, resolve, reject });
    });
  }

  /**
   * Ends the client. Graceful: waits up to `timeoutMs` for every pending publish and
   * request, sends DISCONNECT (the server discards the will) and closes. `force`: closes now.
   * Whatever is still pending rejects with MQTT_ERR_CLIENT_ENDED; message iterators end.
   * Calling it again returns the same promise.
   */
  end(options: EndOptions = {}): Promise<void> {
    if (this.endPromise !== undefined) return this.endPromise;
    this.endPromise = new Promise<void>((resolve) => {
      this.endDone = resolve;
    });
    if (this.clientState === "closed") {
      this.finishEnd();
    } else if (options.force || !this.connected || this.pending.idle) {
      this.finishEnd(options.force ? "force" : "graceful");
    } else {
      this.clientState = "ending";
      this.endTimer.arm(this.timers.now() + (options.timeoutMs ?? DEFAULT_END_TIMEOUT_MS));
    }
    return this.endPromise;
  }

  /**
   * An async iterator of received messages (all, or those matching `filter`). It does not
   * subscribe. Ends when the client ends or closes for good; a consumer more than
   * `bufferSize` messages behind loses the oldest ones.
   */
  messages(filter?: string, options: MessagesOptions = {}): AsyncIterableIterator<ReceivedMessage> {
    if (filter !== undefined) checkFilter(filter);
    const bufferSize = options.bufferSize ?? 1000;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw invalidArgument(`bufferSize must be a positive integer: ${bufferSize}`);
    }
    const stream = new MessageStream(filter, bufferSize, (done) => this.streams.delete(done));
    if (this.isFinal()) stream.finish();
    else this.streams.add(stream);
    return stream;
  }

  /**
   * Calls `handler` for every received message matching `filter` (MQTT wildcard rules).
   * Does not subscribe. Returns the function that removes the handler.
   */
  handle(filter: string, handler: (message: ReceivedMessage) => void): () => void {
    checkFilter(filter);
    return this.handlers.add(filter, handler);
  }

  // ---- connection lifecycle -------------------------------------------------------------

  private openConnection(): void {
    this.clientState = "connecting";
    const connection: Connection = {
      transport: undefined,
      decoder: new Decoder({ role: "client", protocolVersion: this.options.protocolVersion }),
      phase: "opening",
      onClosed: undefined,
    };
    this.connection = connection;
    this.connectTimer.arm(this.timers.now() + this.options.connectTimeoutMs);
    try {
      connection.transport = this.openTransport(this.address, {
        open: () => {
          this.sessionReady.then(() => this.sendConnect(connection));
        },
        data: (chunk) => this.receive(connection, chunk),
        drain: () => {
          if (this.connection === connection) this.pending.drained();
        },
        close: (error) => {
          connection.onClosed?.();
          this.lose(
            connection,
            error === undefined
              ? undefined
              : new ClientError("MQTT_ERR_CLIENT_NETWORK", error.message, { cause: error }),
          );
        },
      });
    } catch (error) {
      const failure = ClientError.isClientError(error)
        ? error
        : new ClientError("MQTT_ERR_CLIENT_NETWORK", "the transport could not be opened", {
            cause: error,
          });
      queueMicrotask(() => this.lose(connection, failure));
    }
  }

  private sendConnect(connection: Connection): void {
    if (this.connection !== connection || connection.phase !== "opening") return;
    connection.phase = "connect-sent";
    this.write(connection, this.connectPacket);
  }

  private receive(connection: Connection, chunk: Uint8Array): void {
    if (this.connection !== connection) return;
    connection.decoder.push(chunk);
    while (this.connection === connection) {
      let packet: Packet | undefined;
      let step: Step | undefined;
      try {
        packet = connection.decoder.next();
        if (packet === undefined) return;
        if (connection.phase !== "established") {
          this.handleConnack(connection, packet);
          continue;
        }
        if (packet.type === "pubrec") this.pubrecReceived.add(packet.packetId);
        step = this.requireSession().handlePacket(packet, this.timers.now());
      } catch (error) {
        if (!MqttError.isInstance(error)) throw error;
        this.fail(
          connection,
          new ClientError("MQTT_ERR_CLIENT_PROTOCOL", `bad input from the server: ${error.code}`, {
            cause: error,
            ...(error.spec === undefined ? {} : { spec: error.spec }),
          }),
        );
        return;
      }
      this.process(step);
    }
  }

  /** The first packet from the server: CONNACK, accepted or not (see handlers/connack.ts). */
  private handleConnack(connection: Connection, packet: Packet): void {
    const outcome = handleConnack(packet, connection.phase === "connect-sent");
    if ("error" in outcome) {
      this.fail(connection, outcome.error);
      return;
    }
    const session = this.requireSession();
    this.connectTimer.disarm();
    connection.phase = "established";
    this.clientState = "connected";
    this.attempt = 0;
    this.failFast = false;
    const sessionPresent = outcome.accepted.sessionPresent;
    if (!sessionPresent) this.persistence?.sessionDiscarded();
    this.process(
      session.connected(this.timers.now(), {
        sessionPresent,
        keepaliveSeconds: this.options.keepalive,
      }),
    );
    if (this.connection !== connection) return;
    if (!sessionPresent && this.subscriptions.size > 0) {
      // The server has no session, so no subscriptions [MQTT-3.1.2-6]: renew the granted
      // ones before the requests that waited for this connection.
      this.request({
        kind: "subscribe",
        subscriptions: Array.from(this.subscriptions.values()),
        rejectOnFailure: false,
        resolve: noop,
        reject: noop,
      });
    }
    for (const request of this.pending.takeWaiting()) this.request(request);
    this.emit("connect", { sessionPresent });
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.resolve();
  }

  /** A failure that ends the connection: close it and report `error`. */
  private fail(connection: Connection, error: ClientError): void {
    connection.transport?.destroy();
    this.lose(connection, error);
  }

  /** The connection is gone (transport closed, or `fail`). Decides what comes next. */
  private lose(connection: Connection, error: ClientError | undefined): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    connection.transport?.destroy();
    this.connectTimer.disarm();
    this.keepaliveTimer.disarm();
    const wasEstablished = connection.phase === "established";
    this.pending.connectionLost(
      new ClientError("MQTT_ERR_CLIENT_CONNECTION_CLOSED", "closed before the message was sent", {
        ...(error === undefined ? {} : { cause: error }),
      }),
    );
    const session = this.session;
    const ending = this.clientState === "ending";
    const willReconnect =
      !ending && this.options.reconnect !== undefined && !this.failFast && !isFinalRefusal(error);
    // Set before the engine aborts requests, so they reject instead of waiting.
    if (!willReconnect && !ending) this.clientState = "closed";
    if (session !== undefined) this.process(session.connectionLost());
    if (wasEstablished) this.emit("offline");
    this.emit("close");
    if (error !== undefined) this.emit("error", error);
    if (this.clientState === "ended") return; // a listener called end()
    if (ending) {
      this.finishEnd();
      return;
    }
    if (willReconnect) {
      this.clientState = "waiting";
      const reconnect = this.options.reconnect as NonNullable<ResolvedOptions["reconnect"]>;
      const delay = backoffDelay(reconnect, this.attempt++, this.options.random);
      this.reconnectTimer.arm(this.timers.now() + delay);
      return;
    }
    this.closeForGood(error);
  }

  private onReconnectDue(): void {
    if (this.clientState !== "waiting") return;
    this.emit("reconnect");
    if (this.clientState === "waiting") this.openConnection();
  }

  private onConnectTimeout(): void {
    const connection = this.connection;
    if (connection === undefined || connection.phase === "established") return;
    this.fail(
      connection,
      new ClientError(
        "MQTT_ERR_CLIENT_CONNECT_TIMEOUT",
        `no CONNACK within ${this.options.connectTimeoutMs} ms`,
      ),
    );
  }

  private onKeepaliveDeadline(): void {
    const session = this.session;
    if (session === undefined || !this.connected) return;
    this.process(session.handleTimeout(this.timers.now()));
  }

  /** No reconnect: settle everything with MQTT_ERR_CLIENT_CONNECTION_CLOSED. */
  private closeForGood(cause: ClientError | undefined): void {
    this.clientState = "closed";
    this.reconnectTimer.disarm();
    const error = new ClientError(
      "MQTT_ERR_CLIENT_CONNECTION_CLOSED",
      "the connection closed and the client does not reconnect",
      cause === undefined ? {} : { cause },
    );
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.reject(cause ?? error);
    this.settleAll(error);
  }

  /** Completes `end()`: DISCONNECT and close (graceful) or close now (force). */
  private finishEnd(mode: "graceful" | "force" = "graceful"): void {
    if (this.clientState === "ended") return;
    this.clientState = "ended";
    this.endTimer.disarm();
    this.reconnectTimer.disarm();
    this.connectTimer.disarm();
    this.keepaliveTimer.disarm();
    const connection = this.connection;
    this.connection = undefined;
    const done = this.endDone;
    let closing: Promise<void> = Promise.resolve();
    if (connection !== undefined) {
      const transport = connection.transport;
      if (mode === "graceful" && connection.phase === "established" && transport !== undefined) {
        this.write(connection, { type: "disconnect" });
        // Resolves when the transport closed, or after a bound if the server never closes.
        closing = new Promise<void>((resolve) => {
          const bound = this.timers.setTimeout(() => {
            transport.destroy();
            resolve();
          }, DEFAULT_END_TIMEOUT_MS);
          connection.onClosed = () => {
            this.timers.clearTimeout(bound);
            resolve();
          };
        });
        transport.end();
      } else {
        transport?.destroy();
      }
      this.session?.connectionLost();
    }
    const error = new ClientError("MQTT_ERR_CLIENT_ENDED", "the client was ended");
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.reject(error);
    this.settleAll(error);
    closing.then(() => {
      if (connection?.phase === "established") {
        this.emit("offline");
        this.emit("close");
      } else if (connection !== undefined) {
        this.emit("close");
      }
      this.emit("end");
      done?.();
    });
  }

  /** Rejects every pending operation with `error` and ends the message iterators. */
  private settleAll(error: ClientError): void {
    this.beforeLoad = [];
    this.pending.rejectAll(error);
    for (const stream of Array.from(this.streams)) stream.finish();
  }

  // ---- engine Steps ---------------------------------------------------------------------

  /** Creates the session, from the stored snapshot if there is a usable one. */
  private startSession(snapshot: SessionSnapshot | undefined): void {
    let session: ClientSession;
    try {
      session = new ClientSession(this.sessionOptions(), snapshot);
    } catch (error) {
      this.emit("error", storeError(error)); // a stored snapshot the engine refuses
      session = new ClientSession(this.sessionOptions());
    }
    this.session = session;
    const messages = this.beforeLoad;
    this.beforeLoad = [];
    for (const message of messages) {
      if (this.pending.hasPublish(message))
        this.process(session.publish(message, this.timers.now()));
    }
  }

  /** Writes a Step's packets, then settles and delivers its events, then persists it. */
  private process(step: Step): void {
    const connection = this.connection;
    if (step.send.length > 0 && connection?.phase === "established") {
      for (const packet of step.send) {
        const accepted = this.write(connection, packet);
        if (packet.type === "publish") {
          if (packet.qos === 0) this.pending.qos0Written(accepted);
          else if (!packet.dup && packet.packetId !== undefined) {
            this.pubrecReceived.delete(packet.packetId);
          }
        }
      }
    }
    for (const event of step.events) this.handleEvent(event);
    this.persistence?.record(step);
    if (this.connection !== undefined && this.connection === connection) {
      this.keepaliveTimer.armNoLaterThan(this.session?.nextDeadline());
    }
    if (this.clientState === "ending" && this.pending.idle) this.finishEnd();
  }

  private handleEvent(event: SessionEvent): void {
    switch (event.type) {
      case "message":
        this.deliver(event);
        return;
      case "publish-complete": {
        this.pubrecReceived.delete(event.packetId);
        if (event.message !== undefined) this.pending.publishDone(event.message);
        return;
      }
      case "message-dropped":
        this.dropped(event.message, event.reason, event.packetId);
        return;
      case "subscribe-complete":
        this.subscribed(event.packetId, event.reasonCodes);
        return;
      case "unsubscribe-complete": {
        const request = this.pending.takeRequest(event.packetId);
        if (request?.kind !== "unsubscribe") return;
        for (const filter of request.filters) this.subscriptions.delete(filter);
        request.resolve();
        return;
      }
      case "request-aborted": {
        const request = this.pending.takeRequest(event.packetId);
        if (request === undefined) return;
        // Not resent by the engine [MQTT-4.4.0-1]; sent again on the next connection.
        if (this.isFinal()) {
          request.reject(
            new ClientError("MQTT_ERR_CLIENT_CONNECTION_CLOSED", "the connection closed"),
          );
        } else {
          this.pending.waitForConnection(request);
        }
        return;
      }
      case "ping-timeout": {
        const connection = this.connection;
        if (connection === undefined) return;
        this.fail(
          connection,
          new ClientError("MQTT_ERR_CLIENT_PING_TIMEOUT", "no PINGRESP: the connection is dead"),
        );
        return;
      }
      case "keepalive-expired":
        return; // a server's event
    }
  }

  private dropped(
    message: SessionMessage,
    reason: "queue-full" | "qos0-offline" | "session-discarded",
    packetId: number | undefined,
  ): void {
    if (reason === "session-discarded") {
      // A clean session discarded an unacknowledged message. After PUBREC the server owns
      // it: done. Before, publish it again (new id), so a clean session loses nothing;
      // QoS 2 may then arrive twice, which only a persistent session prevents.
      if (packetId !== undefined && this.pubrecReceived.has(packetId)) {
        this.pending.publishDone(message);
        return;
      }
      const session = this.session;
      if (session !== undefined) this.process(session.publish(message, this.timers.now()));
      return;
    }
    const error =
      reason === "queue-full"
        ? new ClientError(
            "MQTT_ERR_CLIENT_QUEUE_FULL",
            "the offline queue is full (offlineQueue.maxMessages / maxBytes): message refused",
          )
        : new ClientError("MQTT_ERR_CLIENT_CONNECTION_CLOSED", "offline: QoS 0 is not queued");
    this.pending.publishFailed(message, error);
  }

  private subscribed(packetId: number, reasonCodes: readonly number[]): void {
    const request = this.pending.takeRequest(packetId);
    if (request?.kind !== "subscribe") return;
    const { results, error } = subscribeResults(
      request.subscriptions,
      reasonCodes,
      request.rejectOnFailure,
    );
    for (const [index, result] of results.entries()) {
      const subscription = request.subscriptions[index];
      if (result.returnCode !== 0x80 && subscription !== undefined) {
        this.subscriptions.set(result.topicFilter, subscription);
      }
    }
    if (error !== undefined) request.reject(error);
    else request.resolve(results);
  }

  /** Hands one received message to listeners, handlers and iterators, then acknowledges it. */
  private deliver(event: MessageEvent): void {
    const { message } = event;
    const received: ReceivedMessage = {
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      dup: event.dup,
    };
    this.emit("message", received.topic, received.payload, received);
    this.handlers.dispatch(received);
    for (const stream of this.streams) stream.offer(received);
    const packetId = event.packetId;
    if (!event.ackRequired || packetId === undefined) return;
    const persistence = this.persistence;
    if (message.qos === 2 && persistence !== undefined) {
      persistence.beforePubrec(packetId).then(() => this.acknowledge(packetId));
    } else {
      this.acknowledge(packetId);
    }
  }

  private acknowledge(packetId: number): void {
    const session = this.session;
    if (session !== undefined) this.process(session.acknowledge(packetId, this.timers.now()));
  }

  private request(request: PendingRequest): void {
    const refusal = this.refusal();
    if (refusal !== undefined) {
      request.reject(refusal);
      return;
    }
    const session = this.session;
    if (!this.connected || session === undefined) {
      this.pending.waitForConnection(request);
      return;
    }
    let step: Step & { packetId: number };
    try {
      const now = this.timers.now();
      step =
        request.kind === "subscribe"
          ? session.subscribe(request.subscriptions, now)
          : session.unsubscribe(request.filters, now);
    } catch (error) {
      request.reject(
        MqttError.hasCodePrefix(error, "MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED")
          ? new ClientError(
              "MQTT_ERR_CLIENT_PACKET_IDS_EXHAUSTED",
              "all 65535 packet ids are in use",
              { spec: "MQTT-2.3.1-2", cause: error },
            )
          : invalidArgument("request refused by the session", error),
      );
      return;
    }
    this.pending.requestSent(step.packetId, request);
    this.process(step);
  }

  /** Encodes and writes `packet`; false when the transport asks to wait for `drain`. */
  private write(connection: Connection, packet: Packet): boolean {
    return connection.transport?.write(encode(packet, this.encodeOptions)) ?? true;
  }

  // ---- helpers --------------------------------------------------------------------------

  private sessionOptions(): ClientSessionOptions {
    const { queue } = this.options;
    return {
      protocolVersion: this.options.protocolVersion,
      keepaliveSeconds: this.options.keepalive,
      inflightWindow: this.options.inflightWindow,
      queue: {
        maxMessages: queue.maxMessages,
        maxBytes: queue.maxBytes,
        overflow: "reject-new",
        queueQoS0WhileOffline: queue.qos0,
      },
    };
  }

  /** Why a new operation is refused now, if it is. */
  private refusal(): ClientError | undefined {
    if (this.clientState === "ended" || this.clientState === "ending") {
      return new ClientError("MQTT_ERR_CLIENT_ENDED", "the client was ended");
    }
    if (this.clientState === "closed") {
      return new ClientError(
        "MQTT_ERR_CLIENT_CONNECTION_CLOSED",
        "the connection closed and the client does not reconnect",
      );
    }
    return undefined;
  }

  private isFinal(): boolean {
    return this.clientState === "closed" || this.clientState === "ended";
  }

  private requireSession(): ClientSession {
    if (this.session === undefined) throw new Error("MqttClient: no session while connected");
    return this.session;
  }

  /**
   * Settles when the first CONNACK 0 arrives, or rejects when the client fails for good.
   * @internal connectAsync's.
   */
  waitForConnect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
    });
  }
}

function storeError(cause: unknown): ClientError {
  return new ClientError("MQTT_ERR_CLIENT_STORE", "the session store failed", { cause });
}
