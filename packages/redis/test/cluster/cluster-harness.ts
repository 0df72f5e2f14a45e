/**
 * In-process cluster nodes for the bus tests: each a `RedisClusterBus` from
 * `openRedisCluster` with a `RecordingNode` (a fake broker that records what the bus asks of
 * it), on one real redis-server.
 */
import type { BrokerMessage, ClusterNode } from "@ternmq/broker";
import type { Will } from "@ternmq/codec";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { openRedisCluster, type RedisCluster } from "../../src/index.js";
import { type RunningRedis, startRedisServer } from "../../src/testing/index.js";

/** Timings small enough for tests: a dead node is cleaned up within about 0.7 s. */
export const FAST_TIMING = { heartbeatMs: 100, nodeTtlMs: 500, takeoverTimeoutMs: 2000 };

/** A fake broker node: records every call of the bus, and lets the test await them. */
export class RecordingNode implements ClusterNode {
  readonly held = new Set<string>();
  readonly delivered: BrokerMessage[] = [];
  readonly releaseCalls: string[] = [];
  readonly inboxChanges: string[] = [];
  readonly orphanWills: Array<{ clientId: string; will: Will }> = [];
  readonly lost: string[] = [];
  readonly availability: boolean[] = [];
  /** Order of notable events across nodes, shared with the test. */
  log: string[] = [];
  clients = 0;
  /** What `releaseSession` waits for before it resolves (default: nothing). */
  releaseGate: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly name: string) {}

  hasSession(clientId: string): boolean {
    return this.held.has(clientId);
  }

  deliverFromPeer(message: BrokerMessage): void {
    this.delivered.push(message);
    this.changed();
  }

  async releaseSession(clientId: string): Promise<void> {
    this.releaseCalls.push(clientId);
    this.changed();
    await this.releaseGate;
    this.held.delete(clientId);
    this.log.push(`${this.name} released ${clientId}`);
    this.changed();
  }

  inboxChanged(clientId: string): void {
    this.inboxChanges.push(clientId);
    this.changed();
  }

  publishOrphanWill(clientId: string, will: Will): void {
    this.orphanWills.push({ clientId, will });
    this.changed();
  }

  sessionLost(clientId: string): void {
    this.lost.push(clientId);
    this.held.delete(clientId);
    this.changed();
  }

  localClientCount(): number {
    return this.clients;
  }

  heldClientIds(): Iterable<string> {
    return this.held;
  }

  availabilityChanged(available: boolean): void {
    this.availability.push(available);
    this.changed();
  }

  /** Resolves once `condition()` holds after a call of the bus (or now). */
  until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
    return waitFor(this.waiters, condition, `${this.name}: ${what}`, timeoutMs);
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function waitFor(
  waiters: Set<() => void>,
  condition: () => boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!condition()) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    waiters.add(check);
  });
}

/**
 * Resolves once `condition()` holds, checking every few milliseconds: for state that has no
 * event to await (another node's route cache, a key in Redis).
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface TestNode {
  readonly name: string;
  readonly cluster: RedisCluster;
  readonly node: RecordingNode;
}

/** Opens and closes nodes on one Redis; `closeAll` in afterEach. */
export class TestCluster {
  private readonly opened: TestNode[] = [];
  private readonly raw: Redis[] = [];
  private prefixCount = 0;
  keyPrefix = "";

  constructor(private readonly url: () => string) {}

  /** A fresh key prefix, so that tests sharing a server do not see each other. */
  nextPrefix(): string {
    this.keyPrefix = `t${++this.prefixCount}-${process.pid}:`;
    return this.keyPrefix;
  }

  /** A node not started yet. */
  open(name: string, timing: object = FAST_TIMING): TestNode {
    const cluster = openRedisCluster({
      url: this.url(),
      nodeId: name,
      keyPrefix: this.keyPrefix,
      ...timing,
    });
    const opened = { name, cluster, node: new RecordingNode(name) };
    this.opened.push(opened);
    return opened;
  }

  /** A started node. */
  async start(name: string, timing: object = FAST_TIMING): Promise<TestNode> {
    const opened = this.open(name, timing);
    await opened.cluster.bus.start(opened.node);
    return opened;
  }

  /** A plain connection for inspecting Redis (closed by `closeAll`). */
  connection(): Redis {
    const redis = new Redis(this.url(), { maxRetriesPerRequest: null });
    redis.on("error", () => {});
    this.raw.push(redis);
    return redis;
  }

  /** Subscribes a plain connection to `channel` and collects what is published there. */
  async listen(channel: string): Promise<Buffer[]> {
    const received: Buffer[] = [];
    const redis = this.connection();
    redis.on("messageBuffer", (_channel: Buffer, message: Buffer) => received.push(message));
    await redis.subscribe(channel);
    return received;
  }

  async closeAll(): Promise<void> {
    const nodes = this.opened.splice(0);
    await Promise.all(nodes.map((opened) => opened.cluster.close()));
    for (const redis of this.raw.splice(0)) redis.disconnect();
  }
}

export function message(topic: string, payload: string, qos: 0 | 1 | 2 = 0): BrokerMessage {
  return { topic, payload: Buffer.from(payload), qos, retain: false };
}

export function text(delivered: readonly BrokerMessage[]): string[] {
  return delivered.map((entry) => `${entry.topic}=${Buffer.from(entry.payload).toString()}`);
}

/**
 * Registers this test file's hooks: one redis-server for the file, a fresh key prefix (an
 * empty cluster) per test, and after each test every node closed and the server running
 * again (a test may kill it).
 */
export function useTestCluster(): { server: () => RunningRedis; cluster: TestCluster } {
  let running: RunningRedis | undefined;
  const server = (): RunningRedis => {
    if (running === undefined) throw new Error("redis-server not started (use inside a test)");
    return running;
  };
  beforeAll(async () => {
    running = await startRedisServer();
  });
  afterAll(() => running?.close());
  const cluster = new TestCluster(() => server().url);
  beforeEach(() => {
    cluster.nextPrefix();
  });
  afterEach(async () => {
    if (!server().running) await server().start();
    await cluster.closeAll();
  });
  return { server, cluster };
}

/** The error `promise` rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
