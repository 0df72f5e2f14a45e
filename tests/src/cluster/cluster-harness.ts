/**
 * A TernMQ cluster for the cluster tests (issue 11): one real redis-server on an OS-assigned
 * port and N `ternmq-broker` app processes in cluster mode on it, each on 127.0.0.1 port 0,
 * with a fast heartbeat (100 ms) and node expiry (500 ms) so that a killed node is cleaned up
 * within a test, and `$SYS` published every second.
 *
 * Usage:
 *   afterEach(closeAllClusters);
 *   const cluster = await startCluster({ nodes: ["a", "b", "c"] });
 *   mqtt.connect(`mqtt://127.0.0.1:${cluster.port("b")}`);
 *   await cluster.kill("b");          // kill -9
 *   await cluster.redis.kill(); await cluster.redis.start();   // a Redis restart
 *
 * Design: every cluster started here stays in a module-level set until it is closed, and
 * `closeAllClusters()` (call it in `afterEach`/`afterAll`) SIGKILLs each one's nodes and
 * redis-server, even after a failing test or a failed start. Nodes are `BrokerProcess`es, so
 * `killAllBrokers()` reaches them too. A node id names one node for the whole test; a killed
 * node can be started again under the same id (on a new port).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningRedis, startRedisServer } from "@ternmq/redis/testing";
import { BrokerProcess } from "../durability/broker-process.js";

/** Heartbeat period and node expiry (ms): the expiry bounds the cleanup after a kill -9. */
export const HEARTBEAT_MS = 100;
export const NODE_TTL_MS = 500;

export interface ClusterOptions {
  /** Node ids, started in parallel. */
  readonly nodes: readonly string[];
  /** Redis keeps an append-only file, so its data survives `redis.kill()` + `redis.start()`. */
  readonly appendOnly?: boolean;
  /** Bound of the wait for each node's "started" line; default 60 s (tsx compiles first). */
  readonly startTimeoutMs?: number;
  /** A config file for every node (YAML text, passed with `-c`). */
  readonly configYaml?: string;
}

/**
 * Queue limits no stream test reaches: the default limits drop messages for a subscriber
 * that is offline while its node's death is detected; these tests are about failover, not
 * about the drop policy (as in the crash test).
 */
export const UNBOUNDED_QUEUES_YAML =
  "limits:\n  maxQueuedMessages: 10000000\n  maxQueuedBytes: 1000000000\n";

/** What the "ternmq-broker started" line of a cluster node carries. */
interface ClusterStartedLine {
  port: number;
  cluster?: { nodeId?: string; redis?: string };
}

/**
 * Keeps a node's last warning, error and fatal log lines (pino levels 40-60) for failure
 * reports. BrokerProcess offers lines only through `waitForLine(pattern)`, so this is a
 * pattern that records every line it is tested against and never matches.
 */
class WarningLines extends RegExp {
  readonly lines: string[] = [];

  constructor() {
    super('"level":[456]0');
  }

  override test(line: string): boolean {
    if (super.test(line)) {
      this.lines.push(line.slice(0, 500));
      if (this.lines.length > 10) this.lines.shift();
    }
    return false;
  }
}

/** A node process and what the harness knows about it. */
interface ClusterNodeProcess {
  readonly process: BrokerProcess;
  readonly port: number;
  readonly warnings: WarningLines;
  /** Set when the harness killed it (`kill`, `close`): any other exit is unexpected. */
  killed: boolean;
}

/** Long enough for any test: the watch ends with the process anyway. */
const WATCH_FOREVER_MS = 24 * 3600 * 1000;

export class TestCluster {
  readonly #nodes = new Map<string, ClusterNodeProcess>();
  /** Nodes that exited without being killed by the harness, described. */
  readonly #unexpectedExits: string[] = [];
  #closed = false;

  constructor(
    readonly redis: RunningRedis,
    private readonly startTimeoutMs: number,
    /** Folder of the config file (removed on close), and the `-c` flag for it. */
    private readonly configFolder: string | undefined,
    private readonly configArgs: readonly string[],
  ) {}

  /** Ids of the nodes started (killed ones included). */
  get nodeIds(): string[] {
    return [...this.#nodes.keys()];
  }

  /** The MQTT port of node `id`. */
  port(id: string): number {
    return this.#node(id).port;
  }

  /** The process of node `id` (for its log and `running`). */
  process(id: string): BrokerProcess {
    return this.#node(id).process;
  }

  /** Node `id`'s last warning and error log lines. */
  warnings(id: string): readonly string[] {
    return this.#node(id).warnings.lines;
  }

  /**
   * Starts node `id` (again, after a kill) and waits for its "started" line, which must name
   * `id` and this cluster's Redis.
   */
  async startNode(id: string): Promise<number> {
    if (this.#closed) throw new Error(`cluster closed: cannot start node ${id}`);
    if (this.#nodes.get(id)?.process.running) throw new Error(`node ${id} is running already`);
    const broker = new BrokerProcess([
      ...["-p", "0", "--host", "127.0.0.1", "--sys-interval", "1"],
      ...["--cluster", this.redis.url, "--node-id", id],
      ...["--cluster-heartbeat", String(HEARTBEAT_MS), "--cluster-node-ttl", String(NODE_TTL_MS)],
      ...this.configArgs,
    ]);
    const warnings = new WarningLines();
    broker.waitForLine(warnings, WATCH_FOREVER_MS).catch(() => undefined);
    try {
      const line = await broker.waitForLine(/"msg":"ternmq-broker started"/, this.startTimeoutMs);
      const started = JSON.parse(line) as ClusterStartedLine;
      if (started.cluster?.nodeId !== id || started.cluster.redis === undefined) {
        throw new Error(`node ${id} started without its cluster fields: ${line}`);
      }
      const node: ClusterNodeProcess = {
        process: broker,
        port: started.port,
        warnings,
        killed: false,
      };
      this.#nodes.set(id, node);
      broker.exited.then((exit) => {
        if (node.killed) return;
        this.#unexpectedExits.push(
          `node ${id} (port ${node.port}) exited by itself (${exit}); stderr: ` +
            `${broker.stderr.trim().slice(-1000) || "(empty)"}; warnings: ${warnings.lines.join("\n")}`,
        );
      });
      return started.port;
    } catch (error) {
      const exit = broker.running ? "still running" : `exited ${await broker.exited}`;
      await broker.crash();
      throw new Error(
        `node ${id} did not start (${exit}): ${String(error)}; warnings: ${warnings.lines.join("\n")}`,
      );
    }
  }

  /** kill -9 of node `id`; resolves once the process has exited. */
  async kill(id: string): Promise<void> {
    const node = this.#node(id);
    node.killed = true;
    await node.process.crash();
  }

  /**
   * SIGKILLs every node and the redis-server, removes Redis's folder. Idempotent. Rejects,
   * after cleaning up, if a node had exited by itself (a crash the tests may not have seen).
   */
  async close(): Promise<void> {
    this.#closed = true;
    open.delete(this);
    await Promise.all(
      [...this.#nodes.values()].map((node) => {
        node.killed = true;
        return node.process.crash();
      }),
    );
    await this.redis.close();
    if (this.configFolder !== undefined) {
      await rm(this.configFolder, { recursive: true, force: true });
    }
    if (this.#unexpectedExits.length > 0) throw new Error(this.#unexpectedExits.join("\n"));
  }

  #node(id: string): ClusterNodeProcess {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id} in this cluster`);
    return node;
  }
}

const open = new Set<TestCluster>();

/** Starts redis-server, then every node of `options.nodes` in parallel. */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  let configFolder: string | undefined;
  const configArgs: string[] = [];
  if (options.configYaml !== undefined) {
    configFolder = await mkdtemp(join(tmpdir(), "ternmq-cluster-"));
    const file = join(configFolder, "broker.yaml");
    await writeFile(file, options.configYaml);
    configArgs.push("-c", file);
  }
  const redis = await startRedisServer({ appendOnly: options.appendOnly ?? false });
  const cluster = new TestCluster(
    redis,
    options.startTimeoutMs ?? 60_000,
    configFolder,
    configArgs,
  );
  open.add(cluster);
  const started = await Promise.allSettled(options.nodes.map((id) => cluster.startNode(id)));
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await cluster.close().catch(() => undefined);
    throw failed.reason;
  }
  return cluster;
}

/** Closes every cluster still open (call it in `afterEach` or `afterAll`). */
export async function closeAllClusters(): Promise<void> {
  const closed = await Promise.allSettled([...open].map((cluster) => cluster.close()));
  const failed = closed.find((result) => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
