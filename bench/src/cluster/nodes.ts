/**
 * A cluster under measurement: one fresh redis-server (`startRedisServer` of
 * `@ternmq/redis/testing`) and N broker nodes on it, each its own process started by the
 * brokers suite's driver (TernMQ: `ternmq-broker --cluster URL --node-id nK`; Aedes:
 * aedes-node.ts). Reads the CPU time of each process group (the nodes, redis-server) from
 * /proc, and Redis's own counters (bytes in and out, calls per command) from `INFO`.
 * `stop()` ends the nodes, then Redis; the driver's cleanup and the Redis helper's exit hook
 * end them on Ctrl-C and failure too.
 */
import { fileURLToPath } from "node:url";
import { type RunningRedis, startRedisServer } from "@ternmq/redis/testing";
import { Redis } from "ioredis";
import { type RunningBroker, startBroker } from "../brokers/driver/brokers.js";
import { cpuMilliseconds } from "../brokers/driver/processes.js";
import type { Target } from "../brokers/load/index.js";

export type ClusterBroker = "ternmq" | "aedes";

export const CLUSTER_BROKERS: readonly ClusterBroker[] = ["ternmq", "aedes"];

export const CLUSTER_LABELS: Readonly<Record<ClusterBroker, string>> = {
  ternmq: "TernMQ",
  aedes: "Aedes",
};

/** Redis's counters at one moment (INFO stats, INFO commandstats). */
export interface RedisCounters {
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Calls per command name, lower case (`publish`, `evalsha`, ...). */
  readonly calls: Readonly<Record<string, number>>;
}

/** CPU time in ms of each process group since it started. */
export interface ClusterCpu {
  readonly nodes: number;
  readonly redis: number;
}

export interface RunningCluster {
  readonly broker: ClusterBroker;
  /** Node addresses, node 1 first. */
  readonly targets: readonly Target[];
  /** TernMQ node ids (`n1`, `n2`, ...), in the order of `targets`. */
  readonly nodeIds: readonly string[];
  readonly redisUrl: string;
  cpu(): ClusterCpu;
  redisCounters(): Promise<RedisCounters>;
  /** Each node's state and last output, for error messages. */
  status(): string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** TernMQ: `--sys-interval` in seconds (0, the default, turns $SYS off). */
  readonly sysInterval?: number;
}

const aedesNodeScript = fileURLToPath(new URL("./aedes-node.ts", import.meta.url));

/** `INFO` text to `field -> value`. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Starts Redis, then `count` nodes of `broker` one after the other. */
export async function startCluster(
  broker: ClusterBroker,
  count: number,
  options: ClusterOptions = {},
): Promise<RunningCluster> {
  const redis: RunningRedis = await startRedisServer();
  const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const nodes: RunningBroker[] = [];
  const nodeIds = Array.from({ length: count }, (_, index) => `n${index + 1}`);
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    admin.disconnect();
    await redis.close();
  };
  try {
    await admin.connect();
    const redisPid = Number(infoFields(await admin.info("server")).get("process_id"));
    for (const nodeId of nodeIds) {
      nodes.push(
        await startBroker(
          broker,
          broker === "ternmq"
            ? {
                ternmqStore: ["--cluster", redis.url, "--node-id", nodeId],
                sysInterval: options.sysInterval ?? 0,
              }
            : { aedesServer: { script: aedesNodeScript, args: [redis.url] } },
        ),
      );
    }
    return {
      broker,
      targets: nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
      nodeIds,
      redisUrl: redis.url,
      cpu: () => ({
        nodes: nodes.reduce((total, node) => total + cpuMilliseconds(node.pid), 0),
        redis: cpuMilliseconds(redisPid),
      }),
      async redisCounters() {
        const stats = infoFields(await admin.info("stats"));
        const commands = infoFields(await admin.info("commandstats"));
        const calls: Record<string, number> = {};
        for (const [field, value] of commands) {
          const match = /^cmdstat_(.+)$/.exec(field);
          const callCount = /calls=(\d+)/.exec(value);
          if (match?.[1] !== undefined && callCount?.[1] !== undefined) {
            calls[match[1]] = Number(callCount[1]);
          }
        }
        return {
          inputBytes: Number(stats.get("total_net_input_bytes")),
          outputBytes: Number(stats.get("total_net_output_bytes")),
          calls,
        };
      },
      status: () =>
        nodes.map((node, index) => `${nodeIds[index]}: ${node.status()}`).join("\n    "),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
