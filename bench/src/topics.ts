// `pnpm bench topics`: the subscription index of TernMQ (@ternmq/topics SubscriptionTree) and
// of Aedes (qlobber 8.0.1's QlobberSub, the index aedes-persistence keeps for every client
// subscription, configured as Aedes configures it), built from the same deterministic workload
// and measured in the same process: build time, retained heap per subscription, match latency
// (median and p99 per topic) and matches per second.
import { SubscriptionTree } from "@ternmq/topics";
import QlobberSub from "qlobber/aedes/qlobber-sub.js";

// TOPICS_BENCH_SIZES=10000,100000 runs a subset (handy while tuning).
const SIZES = (process.env.TOPICS_BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const TOPIC_COUNT = 100_000;
const SEED = 0x7e4a;

/** mulberry32: a small deterministic PRNG, so every run builds the same trees. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Workload {
  filters: string[];
  clientIds: string[];
  qos: Uint8Array;
  topics: string[];
}

const CATEGORIES = ["sensors", "actuators", "status", "events", "telemetry", "cmd"];
const METRICS = ["temperature", "humidity", "pressure", "battery", "rssi", "state", "power", "co2"];
const AGGREGATES = ["raw", "avg", "min", "max"];
const WINDOWS = ["1m", "5m", "1h"];

/**
 * IoT-style topics `tenant/site/category/device/metric/aggregate/window`, 3 to 7 levels deep.
 * About 80 % of the filters are exact, 15 % have one `+` (mostly the device level), 5 % end in
 * `#` after 3 to 5 levels. Half of the published topics are ones somebody subscribed to
 * exactly, half are random, so a topic matches a few subscriptions.
 */
function makeWorkload(size: number): Workload {
  const random = prng(SEED ^ size);
  const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)] as V;
  const integer = (below: number) => Math.floor(random() * below);
  const devices = Math.max(100, size / 20);
  const path = (depth: number): string[] =>
    [
      `tenant-${integer(20)}`,
      `site-${integer(50)}`,
      pick(CATEGORIES),
      `dev-${integer(devices).toString(36)}`,
      pick(METRICS),
      pick(AGGREGATES),
      pick(WINDOWS),
    ].slice(0, depth);

  const filters: string[] = [];
  const exactFilters: string[] = [];
  for (let index = 0; index < size; index++) {
    const kind = random();
    if (kind < 0.8) {
      const filter = path(3 + integer(5)).join("/");
      filters.push(filter);
      exactFilters.push(filter);
    } else if (kind < 0.95) {
      const levels = path(4 + integer(4));
      levels[random() < 0.7 ? 3 : 1] = "+";
      filters.push(levels.join("/"));
    } else {
      filters.push(`${path(3 + integer(3)).join("/")}/#`);
    }
  }
  const clientCount = Math.max(1, size / 4);
  const clientNames = Array.from({ length: clientCount }, (_, index) => `client-${index}`);
  const clientIds = filters.map(() => pick(clientNames));
  const qos = Uint8Array.from(filters, () => integer(3));
  const topics = Array.from({ length: TOPIC_COUNT }, () =>
    random() < 0.5 ? pick(exactFilters) : path(5 + integer(3)).join("/"),
  );
  return { filters, clientIds, qos, topics };
}

/**
 * One index under test. `match` and `subscriptions` take the built structure as an argument
 * instead of closing over it: a closure per structure would stay reachable from the call sites'
 * inline caches after the run, and keep the tree alive into the next heap measurement.
 */
interface Contender<Structure> {
  name: string;
  build(workload: Workload): Structure;
  /** Matches one topic; returns how many results the caller received. */
  match(structure: Structure, topic: string): number;
  subscriptions(structure: Structure): number;
}

/** Erases the structure type so that contenders of different kinds share one list. */
function contender<Structure>(definition: Contender<Structure>): Contender<unknown> {
  return definition as Contender<unknown>;
}

interface SubscriptionOptions {
  qos: number;
  nl: boolean;
  rap: boolean;
  rh: number;
}

let matchCount = 0;
function countMatch(): void {
  matchCount++;
}
const qosOf = (options: SubscriptionOptions) => options.qos;

function buildTernmq(workload: Workload): SubscriptionTree<SubscriptionOptions> {
  const tree = new SubscriptionTree<SubscriptionOptions>();
  const { filters, clientIds, qos } = workload;
  for (let index = 0; index < filters.length; index++) {
    // The same per-subscription options QlobberSub keeps (qos, nl, rap, rh).
    tree.add(filters[index] as string, clientIds[index] as string, {
      qos: qos[index] as number,
      nl: false,
      rap: false,
      rh: 0,
    });
  }
  return tree;
}

type Tree = SubscriptionTree<SubscriptionOptions>;

const contenders: Array<Contender<unknown>> = [
  contender({
    name: "TernMQ forEachMatch",
    build: buildTernmq,
    match(tree: Tree, topic) {
      matchCount = 0;
      tree.forEachMatch(topic, countMatch);
      return matchCount;
    },
    subscriptions: (tree: Tree) => tree.subscriptionCount,
  }),
  contender({
    name: "TernMQ forEachSubscriber",
    build: buildTernmq,
    match(tree: Tree, topic) {
      matchCount = 0;
      tree.forEachSubscriber(topic, qosOf, countMatch);
      return matchCount;
    },
    subscriptions: (tree: Tree) => tree.subscriptionCount,
  }),
  contender({
    name: "qlobber QlobberSub",
    build(workload) {
      // The options aedes-persistence passes to QlobberSub.
      const qlobber = new QlobberSub({
        separator: "/",
        wildcard_one: "+",
        wildcard_some: "#",
        match_empty_levels: true,
      });
      const { filters, clientIds, qos } = workload;
      for (let index = 0; index < filters.length; index++) {
        const topic = filters[index] as string;
        qlobber.add(topic, {
          clientId: clientIds[index] as string,
          topic,
          qos: qos[index] as number,
          nl: false,
          rap: false,
          rh: 0,
        });
      }
      return qlobber;
    },
    match: (qlobber: QlobberSub, topic) => qlobber.match(topic).length,
    subscriptions: (qlobber: QlobberSub) => qlobber.subscriptionsCount,
  }),
];

const collectGarbage = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (collectGarbage === undefined) return Number.NaN;
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

interface Result {
  name: string;
  size: number;
  subscriptions: number;
  buildMs: number;
  bytesPerSubscription: number;
  medianNs: number;
  p99Ns: number;
  matchesPerSecond: number;
  resultsPerTopic: number;
}

function measure(contender: Contender<unknown>, size: number, workload: Workload): Result {
  const before = heapUsed();
  const started = performance.now();
  let structure: unknown = contender.build(workload);
  const buildMs = performance.now() - started;
  const bytesPerSubscription = (heapUsed() - before) / size;
  const { topics } = workload;

  // Warm-up (three passes: the optimizing compiler runs on a background thread, slow on a busy
  // machine), and the result count (the same for every contender, or the bench is wrong).
  let results = 0;
  for (const topic of topics) results += contender.match(structure, topic);
  for (let round = 0; round < 2; round++)
    for (const topic of topics) contender.match(structure, topic);

  // Latency: each match timed on its own (the timer's own cost is printed with the table).
  const samples = new Float64Array(topics.length);
  for (let at = 0; at < topics.length; at++) {
    const topic = topics[at] as string;
    const start = performance.now();
    contender.match(structure, topic);
    samples[at] = performance.now() - start;
  }
  samples.sort();

  // Throughput: the whole topic list, untimed per call.
  const rounds = 2;
  const throughputStart = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const topic of topics) contender.match(structure, topic);
  }
  const throughputMs = performance.now() - throughputStart;
  const subscriptions = contender.subscriptions(structure);
  structure = undefined;
  return {
    name: contender.name,
    size,
    subscriptions,
    buildMs,
    bytesPerSubscription,
    medianNs: (samples[samples.length >> 1] as number) * 1e6,
    p99Ns: (samples[Math.floor(samples.length * 0.99)] as number) * 1e6,
    matchesPerSecond: (rounds * topics.length) / (throughputMs / 1000),
    resultsPerTopic: results / topics.length,
  };
}

function timerOverheadNs(): number {
  const samples = new Float64Array(100_000);
  for (let at = 0; at < samples.length; at++) {
    const start = performance.now();
    samples[at] = performance.now() - start;
  }
  samples.sort();
  return (samples[samples.length >> 1] as number) * 1e6;
}

const format = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printTable(results: Result[]): void {
  const header = [
    "subs",
    "index",
    "build ms",
    "bytes/sub",
    "median ns",
    "p99 ns",
    "matches/s",
    "results/topic",
  ];
  const rows = results.map((result) => [
    format(result.size),
    result.name,
    format(result.buildMs),
    format(result.bytesPerSubscription),
    format(result.medianNs),
    format(result.p99Ns),
    format(result.matchesPerSecond),
    format(result.resultsPerTopic, 2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 1
          ? cell.padEnd(widths[column] as number)
          : cell.padStart(widths[column] as number),
      )
      .join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function printRatios(results: Result[]): void {
  console.log("\nratios (qlobber / TernMQ forEachMatch; > 1 means TernMQ is better)");
  for (const size of SIZES) {
    const ternmq = results.find(
      (result) => result.size === size && result.name.endsWith("forEachMatch"),
    );
    const qlobber = results.find(
      (result) => result.size === size && result.name.startsWith("qlobber"),
    );
    if (ternmq === undefined || qlobber === undefined) continue;
    console.log(
      `${format(size).padStart(9)} subs: median ${format(qlobber.medianNs / ternmq.medianNs, 2)}x, ` +
        `p99 ${format(qlobber.p99Ns / ternmq.p99Ns, 2)}x, ` +
        `matches/s ${format(ternmq.matchesPerSecond / qlobber.matchesPerSecond, 2)}x, ` +
        `memory ${format(qlobber.bytesPerSubscription / ternmq.bytesPerSubscription, 2)}x, ` +
        `build ${format(qlobber.buildMs / ternmq.buildMs, 2)}x`,
    );
  }
}

export async function run(): Promise<void> {
  if (collectGarbage === undefined) console.log("(run node with --expose-gc for memory figures)");
  console.log(
    `workload: 80% exact / 15% + / 5% # filters, 3-7 levels, ${format(TOPIC_COUNT)} topics ` +
      `(half subscribed exactly), seed ${SEED}; timer overhead per sample ~${format(timerOverheadNs())} ns\n`,
  );
  // Let the JIT settle on every contender and on the timing loops before anything counts:
  // otherwise whichever runs first pays for compilation in its latencies.
  const warmUp = makeWorkload(10_000);
  for (const each of contenders) measure(each, 10_000, warmUp);
  const results: Result[] = [];
  for (const size of SIZES) {
    const workload = makeWorkload(size);
    const sizeResults = contenders.map((each) => measure(each, size, workload));
    const [first] = sizeResults;
    for (const result of sizeResults) {
      // Both policies agree on the subscription count; forEachMatch and qlobber on the results.
      if (result.subscriptions !== first?.subscriptions) {
        throw new Error(`${result.name} holds ${result.subscriptions} subscriptions`);
      }
    }
    const ternmq = sizeResults.find((result) => result.name.endsWith("forEachMatch"));
    const qlobber = sizeResults.find((result) => result.name.startsWith("qlobber"));
    if (ternmq?.resultsPerTopic !== qlobber?.resultsPerTopic) {
      throw new Error(
        `result counts differ: ${ternmq?.resultsPerTopic} vs ${qlobber?.resultsPerTopic}`,
      );
    }
    results.push(...sizeResults);
  }
  printTable(results);
  printRatios(results);
}
