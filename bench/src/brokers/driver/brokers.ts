/**
 * The brokers under comparison, each started as its own process on 127.0.0.1 and a port the
 * OS picked, with nothing logged per connection, and limits raised so that none of them
 * drops or throttles what the scenarios send (their defaults protect production brokers; here
 * they would measure the limit, not the broker):
 *
 * - TernMQ in memory: `ternmq-broker --memory` from source (tsx), `--log-level warn`.
 * - TernMQ durable: the same with a fresh `--data-dir` (SQLite, default durability).
 * - Aedes 1.2: its defaults (in-memory persistence) on a `net` server (servers/aedes-server.ts).
 * - Mosquitto: Debian's /usr/sbin/mosquitto with a generated config.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type ManagedProcess, startProcess, waitForPort } from "./processes.js";

export type BrokerName = "ternmq" | "ternmq-durable" | "aedes" | "mosquitto";

export const BROKER_NAMES: readonly BrokerName[] = [
  "ternmq",
  "ternmq-durable",
  "aedes",
  "mosquitto",
];

export const BROKER_LABELS: Readonly<Record<BrokerName, string>> = {
  ternmq: "TernMQ",
  "ternmq-durable": "TernMQ durable",
  aedes: "Aedes",
  mosquitto: "Mosquitto",
};

export const MOSQUITTO = "/usr/sbin/mosquitto";

export interface RunningBroker {
  readonly name: BrokerName;
  readonly port: number;
  readonly pid: number;
  /** Whether the process has ended, and what it last printed, for error messages. */
  status(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Node brokers only: write a V8 CPU profile (`--cpu-prof`) into this folder on exit. */
  readonly cpuProfileDir?: string;
  /**
   * TernMQ only: store arguments instead of `--memory` / `--data-dir` (the cluster suite's
   * `--cluster URL --node-id ID`).
   */
  readonly ternmqStore?: readonly string[];
  /** TernMQ only: `--sys-interval` in seconds; default 0 ($SYS off). */
  readonly sysInterval?: number;
  /**
   * Aedes only: this server script instead of servers/aedes-server.ts, started with the port
   * and then `args` (the cluster suite's Aedes on Redis).
   */
  readonly aedesServer?: { readonly script: string; readonly args: readonly string[] };
}

const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const benchFolder = join(repositoryRoot, "bench");
const TSX = ["--import", "tsx", "--conditions=@ternmq/source"];

const TERNMQ_LIMITS = [
  "limits:",
  "  maxInflight: 1000",
  "  maxQueuedMessages: 10000000",
  "  maxQueuedBytes: 2000000000",
  "  maxOutgoingBufferBytes: 256000000",
  "",
].join("\n");

async function started(
  name: BrokerName,
  port: number,
  managed: ManagedProcess,
  folder: string,
): Promise<RunningBroker> {
  const stop = async (): Promise<void> => {
    await managed.stop();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, managed);
  } catch (error) {
    await stop();
    throw new Error(`${BROKER_LABELS[name]}: ${error instanceof Error ? error.message : error}`);
  }
  const status = (): string => {
    const { exitCode, signalCode } = managed.child;
    const state =
      exitCode === null && signalCode === null ? "running" : `exited (${exitCode ?? signalCode})`;
    const output = managed.output().trim();
    return output === "" ? state : `${state}; its output ends: ${output.slice(-1000)}`;
  };
  return { name, port, pid: managed.pid, status, stop };
}

function profileFlags(options: StartOptions): string[] {
  // Node names each file after the process and thread (tsx's loader thread writes one too).
  return options.cpuProfileDir === undefined
    ? []
    : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`];
}

async function startTernmq(name: BrokerName, options: StartOptions): Promise<RunningBroker> {
  const folder = await mkdtemp(join(tmpdir(), "ternmq-bench-broker-"));
  const config = join(folder, "broker.yaml");
  await writeFile(config, TERNMQ_LIMITS);
  const port = await freePort();
  const store =
    options.ternmqStore ??
    (name === "ternmq" ? ["--memory"] : ["--data-dir", join(folder, "data")]);
  const managed = startProcess(
    process.execPath,
    [
      ...TSX,
      ...profileFlags(options),
      join(repositoryRoot, "apps/broker/src/main.ts"),
      ...["-c", config, "-p", String(port), "--host", "127.0.0.1"],
      ...["--sys-interval", String(options.sysInterval ?? 0), "--log-level", "warn", ...store],
    ],
    { cwd: join(repositoryRoot, "apps/broker") },
  );
  return started(name, port, managed, folder);
}

async function startAedes(options: StartOptions): Promise<RunningBroker> {
  const folder = await mkdtemp(join(tmpdir(), "ternmq-bench-aedes-"));
  const port = await freePort();
  const managed = startProcess(
    process.execPath,
    [
      ...TSX,
      ...profileFlags(options),
      options.aedesServer?.script ??
        fileURLToPath(new URL("../servers/aedes-server.ts", import.meta.url)),
      String(port),
      ...(options.aedesServer?.args ?? []),
    ],
    { cwd: benchFolder },
  );
  return started("aedes", port, managed, folder);
}

async function startMosquitto(): Promise<RunningBroker> {
  const folder = await mkdtemp(join(tmpdir(), "ternmq-bench-mosquitto-"));
  const port = await freePort();
  const config = join(folder, "mosquitto.conf");
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "log_type none",
      "max_queued_messages 0",
      "max_queued_bytes 0",
      "max_inflight_messages 0",
      "max_inflight_bytes 0",
      "",
    ].join("\n"),
  );
  const managed = startProcess(MOSQUITTO, ["-c", config]);
  return started("mosquitto", port, managed, folder);
}

export function startBroker(name: BrokerName, options: StartOptions = {}): Promise<RunningBroker> {
  switch (name) {
    case "ternmq":
    case "ternmq-durable":
      return startTernmq(name, options);
    case "aedes":
      return startAedes(options);
    case "mosquitto":
      return startMosquitto();
  }
}
