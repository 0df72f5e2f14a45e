// `pnpm bench client`: publish throughput of @ternmq/client vs MQTT.js (mqtt 5.16.0) at QoS
// 0, 1 and 2, against the same broker in the same run: our Broker in a child process, then
// Debian's mosquitto (when installed). Each client connects over TCP and publishes MESSAGES
// 64-byte messages to a topic nobody subscribes to, with at most WINDOW publishes awaiting
// their acknowledgement (PUBACK / PUBCOMP) at a time, the way an application that awaits its
// promises with some concurrency does. A QoS 0 run ends with one QoS 1 publish whose PUBACK
// proves the broker has read every QoS 0 message before it. The two clients alternate, round
// after round, after a warm-up round; the table shows the median of ROUNDS rounds and the
// ratio TernMQ / MQTT.js (> 1: TernMQ faster). `--quick`: 3 rounds of a tenth of the messages
// (a smoke run; its figures are noisy).
import { type ChildProcess, spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { connectAsync as ternmqConnect } from "@ternmq/client";
import mqtt from "mqtt";
import { startMosquitto } from "../../tests/src/helpers/mosquitto-broker.js";

type QoS = 0 | 1 | 2;

const WINDOW = 100;

interface Size {
  rounds: number;
  messages: Record<QoS, number>;
}

const fullSize: Size = { rounds: 5, messages: { 0: 40_000, 1: 10_000, 2: 5_000 } };
const quickSize: Size = { rounds: 3, messages: { 0: 4_000, 1: 1_000, 2: 500 } };
const payload = new Uint8Array(64).fill(0x61);
const topic = "bench/client/throughput";

/** One client library behind the shape the measurement needs. */
interface BenchClient {
  publish(qos: QoS): Promise<void>;
  end(): Promise<void>;
}

interface Library {
  name: string;
  connect(port: number): Promise<BenchClient>;
}

const libraries: readonly Library[] = [
  {
    name: "@ternmq/client",
    async connect(port) {
      const client = await ternmqConnect(`mqtt://127.0.0.1:${port}`, { reconnect: false });
      return {
        publish: (qos) => client.publish(topic, payload, { qos }),
        end: () => client.end(),
      };
    },
  },
  {
    name: "MQTT.js",
    async connect(port) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      const buffer = Buffer.from(payload);
      return {
        publish: async (qos) => {
          await client.publishAsync(topic, buffer, { qos });
        },
        end: () => client.endAsync(),
      };
    },
  },
];

/** Publishes `count` messages keeping at most WINDOW in flight; resolves when all settled. */
async function publishWindowed(client: BenchClient, qos: QoS, count: number): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await client.publish(qos);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, worker));
  if (qos === 0) await client.publish(1);
}

/** Messages per second of one round of `count` messages. */
async function measure(library: Library, port: number, qos: QoS, count: number): Promise<number> {
  const client = await library.connect(port);
  try {
    const start = performance.now();
    await publishWindowed(client, qos, count);
    return (count * 1000) / (performance.now() - start);
  } finally {
    await client.end();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function benchAgainst(brokerName: string, port: number, size: Size): Promise<void> {
  console.log(`\n${brokerName} (127.0.0.1:${port}), ${size.rounds} rounds, window ${WINDOW}`);
  console.log("QoS  messages  @ternmq/client msg/s  MQTT.js msg/s  ratio");
  for (const qos of [0, 1, 2] as const) {
    const rates = new Map<Library, number[]>(libraries.map((library) => [library, []]));
    const count = size.messages[qos];
    for (const library of libraries) await measure(library, port, qos, count); // warm-up
    for (let round = 0; round < size.rounds; round++) {
      for (const library of libraries) {
        rates.get(library)?.push(await measure(library, port, qos, count));
      }
    }
    const [ours, theirs] = libraries.map((library) => median(rates.get(library) ?? []));
    if (ours === undefined || theirs === undefined) throw new Error("no measurement");
    console.log(
      `${String(qos).padEnd(5)}${String(count).padEnd(10)}` +
        `${Math.round(ours).toLocaleString("en").padStart(20)}` +
        `${Math.round(theirs).toLocaleString("en").padStart(15)}` +
        `${(ours / theirs).toFixed(2).padStart(7)}x`,
    );
  }
}

/** Starts client-broker.ts in a child process and reads the port it listens on. */
async function startOurBroker(): Promise<{ port: number; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./client-broker.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@ternmq/source", script],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["pipe", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const line = output.split("\n")[0];
      if (output.includes("\n") && line !== undefined) resolve(Number(line));
    });
    child.once("exit", (code) => reject(new Error(`the broker exited ${code}: ${output}`)));
  });
  return { port, child };
}

export async function run(options: readonly string[] = []): Promise<void> {
  const size = options.includes("--quick") ? quickSize : fullSize;
  const ours = await startOurBroker();
  try {
    await benchAgainst("TernMQ broker (child process)", ours.port, size);
  } finally {
    const exited = new Promise((resolve) => ours.child.once("exit", resolve));
    ours.child.kill("SIGTERM");
    await exited;
  }
  const hasMosquitto = await access("/usr/sbin/mosquitto").then(
    () => true,
    () => false,
  );
  if (!hasMosquitto) {
    console.log("\nmosquitto: not installed (apt-get install -y mosquitto), skipped");
    return;
  }
  const mosquitto = await startMosquitto();
  try {
    await benchAgainst("mosquitto 2 (Debian)", mosquitto.port, size);
  } finally {
    await mosquitto.close();
  }
}

// Run directly: `node --import tsx --conditions=@ternmq/source src/client.ts`.
if (process.argv[1] === fileURLToPath(import.meta.url)) await run(process.argv.slice(2));
