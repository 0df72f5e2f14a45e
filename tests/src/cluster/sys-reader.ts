/**
 * Reads one node's `$SYS/broker/cluster/...` statistics (published every second by the
 * harness's nodes, retained, and afterwards only when a value changes) through an MQTT.js
 * client connected to that node. `$SYS/broker/uptime` changes on every tick, so a new uptime
 * message marks a tick: values read after it are at least as new as that tick.
 */
import type { ConnectedClient, MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { waitUntil } from "../helpers/with-timeout.js";

const CLUSTER_PREFIX = "$SYS/broker/cluster/";
const UPTIME = "$SYS/broker/uptime";
/** Two ticks and some: the bound of every wait for a `$SYS` value. */
const defaultWaitMs = 5_000;

export class SysReader {
  private constructor(
    private readonly reader: ConnectedClient,
    private readonly nodeName: string,
  ) {}

  /** Connects to the node on `port` and subscribes to its cluster statistics and uptime. */
  static async open(pool: MqttJsClientPool, port: number, nodeName: string): Promise<SysReader> {
    const reader = await pool.connect(port, { clientId: `sys-reader-${nodeName}-${port}` });
    await reader.client.subscribeAsync([`${CLUSTER_PREFIX}#`, UPTIME], { qos: 0 });
    return new SysReader(reader, nodeName);
  }

  /** The latest value of `$SYS/broker/cluster/<name>` (e.g. "nodes"), raw. */
  raw(name: string): string | undefined {
    return this.reader.messages.findLast((message) => message.topic === `${CLUSTER_PREFIX}${name}`)
      ?.payload;
  }

  /** The latest value of `$SYS/broker/cluster/<name>` as a number (NaN when not numeric). */
  value(name: string): number | undefined {
    const raw = this.raw(name);
    return raw === undefined ? undefined : Number(raw);
  }

  /** Waits until the latest value of `name` satisfies `accept`. */
  async waitFor(
    name: string,
    accept: (value: number) => boolean,
    expectation: string,
    timeoutMs = defaultWaitMs,
  ): Promise<number> {
    await waitUntil(
      () => {
        const value = this.value(name);
        return value !== undefined && accept(value);
      },
      timeoutMs,
      () =>
        `${CLUSTER_PREFIX}${name} ${expectation} on node ${this.nodeName} (last ${this.raw(name)})`,
    );
    return this.value(name) ?? Number.NaN;
  }

  /** Waits for the next `$SYS` tick of the node (a new uptime message). */
  async nextTick(timeoutMs = defaultWaitMs): Promise<void> {
    const seen = this.#uptimeCount();
    await waitUntil(
      () => this.#uptimeCount() > seen,
      timeoutMs,
      () => `a $SYS tick on node ${this.nodeName}`,
    );
  }

  #uptimeCount(): number {
    return this.reader.messages.filter((message) => message.topic === UPTIME).length;
  }
}
