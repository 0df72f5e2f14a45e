/**
 * The kill -9 crash test (issue 6): MQTT.js publishers stream QoS 1 and QoS 2 messages to
 * persistent-session subscribers through `ternmq-broker` on a data folder, while the broker
 * is SIGKILLed at random moments and restarted on the same folder and port. At the end every
 * acknowledged message must have reached every subscriber (QoS 1 at least once, QoS 2
 * exactly once), first deliveries in each publisher's order, and the retained messages must
 * be the last ones published.
 *
 * Design: all clients are MQTT.js 5 clients with clean: false and automatic reconnects, so
 * they resume their sessions by themselves after each restart: publishers resend what was
 * not acknowledged (with the same packet ids), subscribers' QoS 2 receive state lives in
 * MQTT.js stores that outlast the client objects. Publishers keep a window of unacknowledged
 * messages and publish only while connected. "Flaky" subscribers also go offline on purpose
 * (DISCONNECT) and come back later, so messages queue for them across crashes. A seeded
 * generator picks the kill moments and the flaky subscribers' moves, so a failing seed can
 * be replayed (timing still varies). After the last cycle the broker is restarted once more,
 * every subscriber comes online, publishers stop and wait for their last acknowledgements,
 * and the ledgers (crash-ledger.ts) are checked.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient, Store } from "mqtt";
import { SeededRandom } from "../helpers/seeded-random.js";
import { sleep, waitUntil } from "../helpers/with-timeout.js";
import { BrokerProcess, killAllBrokers } from "./broker-process.js";
import {
  type CrashTotals,
  checkLedgers,
  expectedRetained,
  hasEveryAcked,
  newSubscriberLedger,
  type PublisherLedger,
  RETAINED_PREFIX,
  recordDelivery,
  STREAM_PREFIX,
  type SubscriberLedger,
} from "./crash-ledger.js";

export interface CrashTestOptions {
  /** kill -9 cycles (the broker is restarted after each). */
  cycles: number;
  seed: number;
  /** Publishers, alternately QoS 1 and QoS 2. Default 4. */
  publishers?: number;
  /** Subscribers that stay online (reconnecting after each crash). Default 2. */
  onlineSubscribers?: number;
  /** Subscribers that also go offline on purpose and come back. Default 2. */
  flakySubscribers?: number;
  /** Unacknowledged messages per publisher. Default 10. */
  window?: number;
  /** Every n-th message of a publisher is its retained message instead. Default 25. */
  retainEvery?: number;
  /**
   * The broker runs this long (random, ms) before the kill, counted from its "started" line
   * in one cycle out of four (a kill while clients reconnect and resend) and from the moment
   * every publisher is connected again in the others (a kill under full load).
   */
  uptimeMs?: { min: number; max: number };
  /** Extra broker flags (`--durability relaxed`). */
  brokerArgs?: readonly string[];
  /** Progress lines (one per cycle). */
  log?: (line: string) => void;
}

export interface CrashReport {
  seed: number;
  cycles: number;
  totals: CrashTotals;
  violations: string[];
  durationMs: number;
}

const CLIENT_OPTIONS = {
  protocolVersion: 4,
  clean: false,
  reconnectPeriod: 100,
  connectTimeout: 5_000,
  resubscribe: false,
} as const;

/** A subscriber and the MQTT.js stores that carry its QoS state from client to client. */
interface Subscriber {
  readonly ledger: SubscriberLedger;
  readonly flaky: boolean;
  readonly incomingStore: Store;
  readonly outgoingStore: Store;
  client: MqttClient | undefined;
}

/** Runs the crash test; resolves with the report (violations empty when it passed). */
export async function runCrashTest(options: CrashTestOptions): Promise<CrashReport> {
  const startedAt = Date.now();
  const random = new SeededRandom(options.seed);
  const log = options.log ?? (() => undefined);
  const window = options.window ?? 10;
  const retainEvery = options.retainEvery ?? 25;
  const uptime = options.uptimeMs ?? { min: 100, max: 1_500 };
  const dataDir = await mkdtemp(join(tmpdir(), "ternmq-crash-"));
  // The default queue limits would drop messages for a subscriber that stays offline for
  // several cycles; this test is about durability, not about the drop policy.
  const configFile = join(dataDir, "broker.yaml");
  await writeFile(
    configFile,
    "limits:\n  maxQueuedMessages: 10000000\n  maxQueuedBytes: 1000000000\n",
  );
  const dataFolder = join(dataDir, "data");
  const brokerArgs = ["-c", configFile, ...(options.brokerArgs ?? [])];
  const publishers: PublisherLedger[] = [];
  const publisherClients: MqttClient[] = [];
  const subscribers: Subscriber[] = [];
  let publishing = true;
  let broker: BrokerProcess | undefined;

  const startBroker = async (port: number): Promise<BrokerProcess> =>
    BrokerProcess.start({ dataDir: dataFolder, port, args: brokerArgs, startTimeoutMs: 60_000 });

  const connectSubscriber = (subscriber: Subscriber, port: number): MqttClient => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      ...CLIENT_OPTIONS,
      clientId: subscriber.ledger.clientId,
      incomingStore: subscriber.incomingStore,
      outgoingStore: subscriber.outgoingStore,
    });
    client.on("error", () => undefined);
    client.on("connect", (connack) => {
      if (!connack.sessionPresent) subscriber.ledger.sessionsLost += 1;
    });
    client.on("message", (topic, payload) => {
      recordDelivery(subscriber.ledger, publishers, topic, payload.toString("utf8"));
    });
    subscriber.client = client;
    return client;
  };

  const goOffline = async (subscriber: Subscriber): Promise<void> => {
    const client = subscriber.client;
    subscriber.client = undefined;
    await client?.endAsync();
  };

  try {
    broker = await startBroker(0);
    const port = broker.port;

    // Subscribers first: their persistent subscriptions exist before any message is sent.
    const subscriberCount = (options.onlineSubscribers ?? 2) + (options.flakySubscribers ?? 2);
    for (let index = 0; index < subscriberCount; index += 1) {
      const subscriber: Subscriber = {
        ledger: newSubscriberLedger(`crash-sub-${index}`),
        flaky: index >= (options.onlineSubscribers ?? 2),
        incomingStore: new Store({ clean: false }),
        outgoingStore: new Store({ clean: false }),
        client: undefined,
      };
      subscribers.push(subscriber);
      const client = connectSubscriber(subscriber, port);
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("error", reject);
      });
      // The first CONNACK of a new client id has no session: not a loss.
      subscriber.ledger.sessionsLost = 0;
      await client.subscribeAsync(`${STREAM_PREFIX}#`, { qos: 2 });
    }

    for (let index = 0; index < (options.publishers ?? 4); index += 1) {
      const ledger: PublisherLedger = {
        index,
        qos: index % 2 === 0 ? 1 : 2,
        sent: 0,
        ackedStream: new Set(),
        ackedRetained: new Set(),
        retainedSent: [],
        abandoned: new Set(),
        sessionsLost: 0,
      };
      publishers.push(ledger);
      const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
        ...CLIENT_OPTIONS,
        clientId: `crash-pub-${index}`,
      });
      publisherClients.push(client);
      client.on("error", () => undefined);
      let unacknowledged = 0;
      const pump = (): void => {
        while (publishing && client.connected && unacknowledged < window) {
          const seq = ledger.sent;
          ledger.sent += 1;
          unacknowledged += 1;
          const retained = seq % retainEvery === retainEvery - 1;
          if (retained) ledger.retainedSent.push(seq);
          const topic = `${retained ? RETAINED_PREFIX : STREAM_PREFIX}${index}`;
          client.publish(topic, String(seq), { qos: ledger.qos, retain: retained }, (error) => {
            unacknowledged -= 1;
            if (error !== undefined && error !== null) {
              ledger.abandoned.add(seq);
            } else {
              (retained ? ledger.ackedRetained : ledger.ackedStream).add(seq);
            }
            pump();
          });
        }
      };
      let firstConnection = true;
      client.on("connect", (connack) => {
        if (!firstConnection && !connack.sessionPresent) ledger.sessionsLost += 1;
        firstConnection = false;
        pump();
      });
    }

    for (let cycle = 1; cycle <= options.cycles; cycle += 1) {
      const upMs = random.integer(uptime.min, uptime.max);
      const underLoad = random.next() >= 0.25;
      if (underLoad) {
        await waitUntil(
          () => publisherClients.every((client) => client.connected),
          60_000,
          () => "the publishers to reconnect",
        );
      }
      const moves = subscribers
        .filter((subscriber) => subscriber.flaky && random.next() < 0.5)
        .map((subscriber) => ({ subscriber, atMs: random.integer(0, upMs) }));
      const moving = moves.map(async ({ subscriber, atMs }) => {
        await sleep(atMs);
        if (subscriber.client === undefined) connectSubscriber(subscriber, port);
        else await goOffline(subscriber);
      });
      await sleep(upMs);
      await broker.crash();
      await Promise.all(moving);
      broker = await startBroker(port);
      const acked = publishers.reduce(
        (sum, publisher) => sum + publisher.ackedStream.size + publisher.ackedRetained.size,
        0,
      );
      const from = underLoad ? "the publishers reconnected" : "start";
      log(`cycle ${cycle}/${options.cycles}: killed ${upMs} ms after ${from}, ${acked} acked`);
    }

    // Quiesce: everyone online, no new messages, every sent message acknowledged, every
    // acknowledged message delivered.
    for (const subscriber of subscribers) {
      if (subscriber.client === undefined) connectSubscriber(subscriber, port);
    }
    publishing = false;
    const violations: string[] = [];
    const pending = (): number =>
      publishers.reduce(
        (sum, publisher) =>
          sum +
          publisher.sent -
          publisher.ackedStream.size -
          publisher.ackedRetained.size -
          publisher.abandoned.size,
        0,
      );
    await waitUntil(
      () => pending() === 0,
      60_000,
      () => `the publishers' last acknowledgements (${pending()} outstanding)`,
    ).catch((error: unknown) => violations.push(String(error)));
    await waitUntil(
      () => subscribers.every((subscriber) => hasEveryAcked(subscriber.ledger, publishers)),
      60_000,
      () => "every acknowledged message at every subscriber",
    ).catch(() => undefined);
    const retainedCount = publishers.filter((p) => expectedRetained(p) !== undefined).length;
    const retained = await readRetained(port, retainedCount);
    const checked = checkLedgers(
      publishers,
      subscribers.map((subscriber) => subscriber.ledger),
      retained,
    );
    violations.push(...checked.violations);
    const exitCode = await broker.stop();
    if (exitCode !== 0) violations.push(`the broker exited ${exitCode} on SIGTERM`);
    return {
      seed: options.seed,
      cycles: options.cycles,
      totals: checked.totals,
      violations,
      durationMs: Date.now() - startedAt,
    };
  } finally {
    publishing = false;
    await Promise.all([
      ...publisherClients.map((client) => client.endAsync(true)),
      ...subscribers.map((subscriber) => subscriber.client?.endAsync(true)),
    ]);
    await killAllBrokers();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The retained message of each publisher, as a new subscriber receives it. */
async function readRetained(port: number, expected: number): Promise<Map<number, string>> {
  const retained = new Map<number, string>();
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    client.on("message", (topic, payload, packet) => {
      if (packet.retain) retained.set(Number(topic.slice(RETAINED_PREFIX.length)), String(payload));
    });
    await client.subscribeAsync(`${RETAINED_PREFIX}#`, { qos: 1 });
    // Retained messages are sent right after the SUBACK; a PINGREQ-sized pause is not
    // observable from MQTT.js, so wait for the expected count with a bound.
    await waitUntil(
      () => retained.size >= expected,
      5_000,
      () => "retained",
    ).catch(() => undefined);
  } finally {
    await client.endAsync(true);
  }
  return retained;
}
