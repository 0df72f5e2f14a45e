/**
 * QoS 1/2 message streams between persistent-session MQTT.js clients that fail over from one
 * cluster node to another, booked in the crash test's ledgers (../durability/crash-ledger.ts:
 * acknowledged = PUBACK/PUBCOMP received by the publisher; every acknowledged message must
 * reach every subscriber, QoS 2 exactly once, first deliveries in each publisher's order).
 *
 * Design: each client is one MQTT.js client object with clean: false, automatic reconnects
 * and a `servers` list: MQTT.js moves to the next server of the list on each reconnect, as a
 * client behind a load balancer lands on another node when its node dies. The same object
 * keeps its stores across reconnects, so publishers resend unacknowledged messages with their
 * packet ids and subscribers keep their QoS 2 receive state. A CONNACK that refuses the
 * connection stops MQTT.js's reconnects; it is counted in `refusals` and the client retries
 * (as a device would). Publishers keep a window of unacknowledged messages and publish only
 * while connected. Probes (route-probes.ts) on the stream topics are kept apart from the ledger.
 */
import mqtt, { type MqttClient, Store } from "mqtt";
import {
  checkLedgers,
  hasEveryAcked,
  newSubscriberLedger,
  type PublisherLedger,
  recordDelivery,
  STREAM_PREFIX,
  type SubscriberLedger,
} from "../durability/crash-ledger.js";
import type { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil, withTimeout } from "../helpers/with-timeout.js";
import { hasProbe, isProbe, probeUntil } from "./route-probes.js";

/** The topic stream probes go to (matched by the subscribers' filter, not in any ledger). */
export const STREAM_PROBE_TOPIC = `${STREAM_PREFIX}probe`;
const RETRY_AFTER_REFUSAL_MS = 100;

const open = new Set<MqttClient>();

/** A persistent-session client that fails over along `ports`; base of both stream roles. */
abstract class FailoverClient {
  readonly client: MqttClient;
  /** Connections made (CONNACK 0), the first one included. */
  connections = 0;
  /** CONNACKs that refused the connection, by return code. */
  readonly refusals: number[] = [];
  readonly #incomingStore = new Store({ clean: false });
  readonly #outgoingStore = new Store({ clean: false });

  constructor(clientId: string, ports: readonly number[]) {
    this.client = mqtt.connect({
      protocol: "mqtt",
      servers: ports.map((port) => ({ host: "127.0.0.1", port })),
      protocolVersion: 4,
      clientId,
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 5_000,
      resubscribe: false,
      incomingStore: this.#incomingStore,
      outgoingStore: this.#outgoingStore,
    });
    open.add(this.client);
    this.client.on("error", (error) => {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "number") return;
      this.refusals.push(code);
      setTimeout(() => {
        if (!this.client.disconnecting) {
          this.client.reconnect({
            incomingStore: this.#incomingStore,
            outgoingStore: this.#outgoingStore,
          });
        }
      }, RETRY_AFTER_REFUSAL_MS);
    });
    this.client.on("connect", (connack) => {
      this.connections += 1;
      if (this.connections > 1 && !connack.sessionPresent) this.sessionLost();
    });
  }

  /** Resolves once connected (now or later), bounded. */
  async connected(timeoutMs = 10_000): Promise<void> {
    if (this.client.connected) return;
    await withTimeout(
      new Promise<void>((resolve) => this.client.once("connect", () => resolve())),
      timeoutMs,
      () => `${this.client.options.clientId} to connect (refusals: ${this.refusals.join(", ")})`,
    );
  }

  /** A reconnection's CONNACK said Session Present 0: the session was lost. */
  protected abstract sessionLost(): void;
}

/** Streams `STREAM_PREFIX<index>` messages at one QoS, sequence numbers as payloads. */
export class StreamPublisher extends FailoverClient {
  readonly ledger: PublisherLedger;
  #publishing = true;
  #unacknowledged = 0;

  constructor(index: number, qos: 1 | 2, ports: readonly number[], window = 10) {
    super(`stream-pub-${index}`, ports);
    this.ledger = {
      index,
      qos,
      sent: 0,
      ackedStream: new Set(),
      ackedRetained: new Set(),
      retainedSent: [],
      abandoned: new Set(),
      sessionsLost: 0,
    };
    const topic = `${STREAM_PREFIX}${index}`;
    const pump = (): void => {
      while (this.#publishing && this.client.connected && this.#unacknowledged < window) {
        const seq = this.ledger.sent;
        this.ledger.sent += 1;
        this.#unacknowledged += 1;
        this.client.publish(topic, String(seq), { qos }, (error) => {
          this.#unacknowledged -= 1;
          if (error !== undefined && error !== null) this.ledger.abandoned.add(seq);
          else this.ledger.ackedStream.add(seq);
          pump();
        });
      }
    };
    this.client.on("connect", pump);
  }

  /** Sent messages neither acknowledged nor abandoned yet. */
  get pending(): number {
    const { sent, ackedStream, abandoned } = this.ledger;
    return sent - ackedStream.size - abandoned.size;
  }

  /** Publishes no new message (the unacknowledged ones are still resent and acknowledged). */
  stop(): void {
    this.#publishing = false;
  }

  protected sessionLost(): void {
    this.ledger.sessionsLost += 1;
  }
}

/** Subscribes to every stream (`STREAM_PREFIX#`, QoS 2) once, then only resumes its session. */
export class StreamSubscriber extends FailoverClient {
  readonly ledger: SubscriberLedger;
  /** Probes received (route-probes.ts), apart from the ledger. */
  readonly probes: { payload: string }[] = [];

  private constructor(
    clientId: string,
    ports: readonly number[],
    publishers: () => readonly PublisherLedger[],
  ) {
    super(clientId, ports);
    this.ledger = newSubscriberLedger(clientId);
    this.client.on("message", (topic, payloadBytes) => {
      const payload = payloadBytes.toString("utf8");
      if (isProbe(payload)) this.probes.push({ payload });
      else recordDelivery(this.ledger, publishers(), topic, payload);
    });
  }

  /**
   * Connects (first on `ports[0]`) and subscribes. `publishers` is read on each delivery,
   * so publishers may be created afterwards.
   */
  static async start(
    clientId: string,
    ports: readonly number[],
    publishers: () => readonly PublisherLedger[],
  ): Promise<StreamSubscriber> {
    const subscriber = new StreamSubscriber(clientId, ports, publishers);
    await subscriber.connected();
    await subscriber.client.subscribeAsync(`${STREAM_PREFIX}#`, { qos: 2 });
    return subscriber;
  }

  protected sessionLost(): void {
    this.ledger.sessionsLost += 1;
  }
}

/** Acknowledged stream messages of all `publishers`. */
export function totalAcked(publishers: readonly StreamPublisher[]): number {
  return publishers.reduce((sum, publisher) => sum + publisher.ledger.ackedStream.size, 0);
}

/**
 * Probes the stream topic from a client on `port` until every subscriber has a probe: the
 * node on `port` routes the streams to every subscriber, and everything it sent them before
 * has arrived.
 */
export async function probeStreams(
  pool: MqttJsClientPool,
  port: number,
  subscribers: readonly StreamSubscriber[],
): Promise<void> {
  const prober = await pool.connect(port);
  await probeUntil(
    (payload) => prober.client.publishAsync(STREAM_PROBE_TOPIC, payload, { qos: 0 }),
    (tag) => subscribers.every((subscriber) => hasProbe(subscriber.probes, tag)),
    () => `a stream probe from port ${port} at every subscriber`,
  );
}

/** Waits until `count` more messages are acknowledged and every client is connected. */
export async function waitForProgress(
  publishers: readonly StreamPublisher[],
  subscribers: readonly StreamSubscriber[],
  count: number,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const target = totalAcked(publishers) + count;
  const everyone = [...publishers, ...subscribers];
  await waitUntil(
    () => totalAcked(publishers) >= target && everyone.every((x) => x.client.connected),
    timeoutMs,
    () =>
      `${what}: ${target} acknowledged (now ${totalAcked(publishers)}), connected: ` +
      everyone.map((x) => `${x.client.options.clientId} ${x.client.connected}`).join(", "),
  );
}

export interface StreamOutcome {
  violations: string[];
  acked: number;
  delivered: number;
  duplicatesQoS1: number;
  duplicatesQoS2: number;
  /** CONNACK refusals clients got (client id: return codes), for the failure message. */
  refusals: string[];
}

/**
 * Stops the publishers, waits for their last acknowledgements and for every acknowledged
 * message at every subscriber, fences from `fencePort` (where every client is now), and
 * checks the ledgers.
 */
export async function settleStreams(
  pool: MqttJsClientPool,
  publishers: readonly StreamPublisher[],
  subscribers: readonly StreamSubscriber[],
  fencePort: number,
  timeoutMs: number,
): Promise<StreamOutcome> {
  for (const publisher of publishers) publisher.stop();
  const violations: string[] = [];
  const ledgers = publishers.map((publisher) => publisher.ledger);
  const pending = () => publishers.reduce((sum, publisher) => sum + publisher.pending, 0);
  await waitUntil(
    () => pending() === 0,
    timeoutMs,
    () => `the publishers' last acknowledgements (${pending()} outstanding)`,
  ).catch((error: unknown) => violations.push(String(error)));
  await waitUntil(
    () => subscribers.every((subscriber) => hasEveryAcked(subscriber.ledger, ledgers)),
    timeoutMs,
    () => "every acknowledged message at every subscriber",
  ).catch(() => undefined);
  await probeStreams(pool, fencePort, subscribers).catch((error: unknown) =>
    violations.push(String(error)),
  );
  const checked = checkLedgers(
    ledgers,
    subscribers.map((subscriber) => subscriber.ledger),
    new Map(),
  );
  violations.push(...checked.violations);
  return {
    violations,
    acked: checked.totals.acked,
    delivered: checked.totals.delivered,
    duplicatesQoS1: checked.totals.duplicatesQoS1,
    duplicatesQoS2: checked.totals.duplicatesQoS2,
    refusals: [...publishers, ...subscribers]
      .filter((x) => x.refusals.length > 0)
      .map((x) => `${x.client.options.clientId}: ${x.refusals.join(", ")}`),
  };
}

/** Force-closes every stream client (call it in `afterEach`). */
export async function closeAllStreamClients(): Promise<void> {
  const clients = [...open];
  open.clear();
  await Promise.all(clients.map((client) => client.endAsync(true)));
}
