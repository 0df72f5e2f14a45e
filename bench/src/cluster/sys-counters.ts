/**
 * The cluster counters one TernMQ node publishes under `$SYS/broker/cluster/`, read by a raw
 * client of the load generator's wire module: the latest value of each topic. The node
 * publishes a `$SYS` topic (retained) only when its value changed, at its `--sys-interval`
 * ticks; `$SYS/broker/uptime` changes at every tick, so two of its publications after a
 * moment mean that every counter published since holds the count of that moment or later.
 */
import { connectClient, type RawClient, type Target } from "../brokers/load/raw-client.js";
import { encodeSubscribe, PUBLISH } from "../brokers/load/wire.js";

export const FORWARDED = "$SYS/broker/cluster/messages/forwarded";
export const RECEIVED = "$SYS/broker/cluster/messages/received";
const UPTIME = "$SYS/broker/uptime";

const WAIT_MS = 15_000;

export class SysCounters {
  readonly #client: RawClient;
  readonly #latest = new Map<string, number>();
  #waiting: Array<{ topic: string; resolve: () => void }> = [];

  private constructor(client: RawClient) {
    this.#client = client;
    client.onFrame = (firstByte, data, start, end) => {
      if (firstByte >> 4 !== PUBLISH) return;
      const topicLength = data.readUInt16BE(start);
      const topic = data.toString("utf8", start + 2, start + 2 + topicLength);
      const packetIdBytes = ((firstByte >> 1) & 3) === 0 ? 0 : 2;
      // Counters are integers, uptime "N seconds".
      const value = Number.parseInt(
        data.toString("utf8", start + 2 + topicLength + packetIdBytes, end),
        10,
      );
      this.#latest.set(topic, value);
      const [ready, waiting] = partition(this.#waiting, (entry) => entry.topic === topic);
      this.#waiting = waiting;
      for (const entry of ready) entry.resolve();
    };
  }

  /** Connects to `target` and subscribes to the cluster counters. */
  static async open(target: Target, clientId: string): Promise<SysCounters> {
    const client = await connectClient(target, clientId);
    const counters = new SysCounters(client);
    client.socket.write(encodeSubscribe(1, ["$SYS/broker/cluster/#", UPTIME], 0));
    return counters;
  }

  /** The latest published value of `topic` (NaN before the first). */
  value(topic: string): number {
    return this.#latest.get(topic) ?? Number.NaN;
  }

  /** Resolves once the counters hold this moment's counts (two `$SYS` ticks from now). */
  async settle(): Promise<void> {
    for (let tick = 0; tick < 2; tick += 1) await this.#next(UPTIME);
  }

  #next(topic: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${topic} published in ${WAIT_MS} ms`)),
        WAIT_MS,
      );
      this.#waiting.push({
        topic,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  close(): void {
    this.#client.socket.destroy();
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
