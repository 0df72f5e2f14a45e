/**
 * A second connection to the test server, to look at what the stores did from outside:
 * command counts (`INFO commandstats`) and messages published on channels.
 */
import { Redis } from "ioredis";

/** Calls per command name since the server started (`INFO commandstats`). */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] ?? "", Number(match[2]));
  }
  return calls;
}

/** How many more calls of each of `names` `after` has than `before`. */
export function callsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
  names: readonly string[],
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const name of names) delta[name] = (after.get(name) ?? 0) - (before.get(name) ?? 0);
  return delta;
}

/** A subscriber that records every message of its channels, in arrival order. */
export class ChannelRecorder {
  readonly messages: { channel: string; message: string }[] = [];
  private readonly redis: Redis;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.redis.on("message", (channel: string, message: string) => {
      this.messages.push({ channel, message });
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  async subscribe(...channels: string[]): Promise<void> {
    await this.redis.subscribe(...channels);
  }

  /**
   * Waits until `marker` arrives on `channel` (publish it after the writes under test: a
   * subscriber receives one connection's messages in order), then returns the JSON messages
   * received before it on `channels`, and forgets them.
   */
  async takeUntil(
    publisher: Redis,
    channel: string,
    channels: readonly string[],
  ): Promise<{ channel: string; event: unknown }[]> {
    const marker = `marker-${Math.random()}`;
    await publisher.publish(channel, marker);
    while (!this.messages.some((entry) => entry.message === marker)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const index = this.messages.findIndex((entry) => entry.message === marker);
    const taken = this.messages.splice(0, index + 1).slice(0, index);
    return taken
      .filter((entry) => channels.includes(entry.channel))
      .map((entry) => ({ channel: entry.channel, event: JSON.parse(entry.message) as unknown }));
  }

  close(): void {
    this.redis.disconnect();
  }
}
