/**
 * The `$SYS` publisher: every `intervalSeconds`, publishes the broker's status under
 * `$SYS/broker/...` as retained QoS 0 messages through `broker.publish`, as Mosquitto does.
 *
 * Design: one timer per broker. Each tick (and `publishNow()`) reads `broker.stats`, samples
 * the load averages (SysValues) and publishes the topics whose value differs from the value
 * last published on that topic; the first tick therefore publishes every topic, and later
 * ticks only what changed (Mosquitto does the same; `uptime` changes every tick). A value is
 * remembered only once its publish resolved, so a failed publish is retried on the next tick.
 * CONNECTs are counted from the broker's "client-connected" event (BrokerStats has no such
 * counter). `state` goes "running" -> "stopped" once, on `stop()`; a stopped publisher
 * publishes nothing more. The first publish runs on the next turn of the event loop, not
 * inside the Broker constructor that starts the publisher.
 */
import type { ClusterBus } from "../cluster.js";
import { clusterValues, type SysStats, SysValues } from "./sys-values.js";

export { decayLoad, LOAD_WINDOWS, LoadAverage } from "./load-average.js";
export { SYS_TOPICS, type SysStats } from "./sys-values.js";

/** What the publisher needs of a Broker (the Broker class satisfies it). */
export interface SysBroker {
  readonly stats: SysStats;
  publish(message: { topic: string; payload: Uint8Array; qos: 0; retain: boolean }): Promise<void>;
  on(event: "client-connected", listener: () => void): unknown;
  off(event: "client-connected", listener: () => void): unknown;
}

export interface SysPublisherOptions {
  /** Seconds between two publishes; must be a positive finite number (Mosquitto's sys_interval). */
  intervalSeconds: number;
  /** The broker's version, published as "ternmq version <version>" on `$SYS/broker/version`. */
  version: string;
  /** Clock in ms, the same as the broker's (`stats.startedAt` comes from it); default Date.now. */
  now?: () => number;
  /** A cluster node also publishes `$SYS/broker/cluster/...` (see `clusterValues`). */
  cluster?: ClusterBus;
}

export interface SysPublisher {
  /** Stops the timer and the event listener. Idempotent. */
  stop(): void;
  /** Publishes the changed values now (tests, or a status request); resolves when published. */
  publishNow(): Promise<void>;
}

/**
 * Starts publishing the `$SYS` topics of `broker` (see SYS_TOPICS).
 *
 * Parameters: the broker; `intervalSeconds`, `version` and an optional clock `now`.
 * Returns: a handle whose `stop()` the broker calls from `close()`.
 * See Also: mosquitto(8) "BROKER STATUS" for the topic names.
 */
export function startSysPublisher(broker: SysBroker, options: SysPublisherOptions): SysPublisher {
  const { intervalSeconds, version } = options;
  if (!Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
    throw new RangeError(`$SYS interval must be a positive number of seconds: ${intervalSeconds}`);
  }
  const now = options.now ?? Date.now;
  const own = { connections: 0 };
  const countConnection = (): void => {
    own.connections++;
  };
  const values = new SysValues(version, broker.stats, own, now());
  const lastPublished = new Map<string, string>();
  let state: "running" | "stopped" = "running";

  const publishOne = async (topic: string, value: string): Promise<void> => {
    await broker.publish({ topic, payload: Buffer.from(value), qos: 0, retain: true });
    lastPublished.set(topic, value);
  };

  const publishNow = async (): Promise<void> => {
    if (state === "stopped") return;
    const pending: Promise<void>[] = [];
    const collected = values.collect(broker.stats, own, now());
    if (options.cluster !== undefined) collected.push(...clusterValues(options.cluster));
    for (const [topic, value] of collected) {
      if (lastPublished.get(topic) !== value) pending.push(publishOne(topic, value));
    }
    await Promise.all(pending);
  };

  // A tick must not reject unhandled: a publish that fails (broker closing) is retried on the
  // next tick because its value was not remembered.
  const tick = (): void => {
    publishNow().catch(() => undefined);
  };

  broker.on("client-connected", countConnection);
  const first = setImmediate(tick);
  const timer = setInterval(tick, intervalSeconds * 1000);
  // $SYS alone never keeps the process alive.
  first.unref();
  timer.unref();

  return {
    stop() {
      if (state === "stopped") return;
      state = "stopped";
      clearImmediate(first);
      clearInterval(timer);
      broker.off("client-connected", countConnection);
    },
    publishNow,
  };
}
