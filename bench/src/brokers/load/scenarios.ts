/**
 * The eight scenarios of the broker comparison (issue 10), each a function from a broker
 * address to figures. They know nothing of how the broker was started: memory and broker CPU
 * are read by whoever holds the broker process, at the marks a scenario announces.
 */
import type { QoS } from "@ternmq/codec";
import { Flow, type FlowOptions, type PhaseResult, type PublisherSpec } from "./flow.js";
import { Meter } from "./meter.js";
import { closeAll, connectClient, connectMany, type Target } from "./raw-client.js";
import { encodeSubscribe, PUBLISH, publishTemplate } from "./wire.js";

export type ScenarioId =
  | "fan-in"
  | "fan-out"
  | "qos1"
  | "qos2"
  | "latency"
  | "idle-connections"
  | "retained"
  | "wide-subscriptions";

export type Size = "quick" | "full";

/**
 * Points in a scenario where the broker's holder may look at the broker process:
 * `measure-start`/`measure-end` bracket the timed work (broker CPU share), `memory-before`/
 * `memory-after` bracket what `memoryUnits` counts (RSS per connection or subscription).
 */
export type Mark = "measure-start" | "measure-end" | "memory-before" | "memory-after";

export interface ScenarioHooks {
  /** Awaited at each mark; the scenario waits for it before going on. */
  mark(point: Mark): Promise<void>;
}

/** `Id`: the scenario ids of the suite (another suite's scenarios use the same shapes). */
export interface ScenarioResult<Id extends string = ScenarioId> {
  readonly scenario: Id;
  /** Figures by metric key (see `SCENARIOS[...].metrics`); memory ones are left to the holder. */
  readonly figures: Record<string, number>;
  /** What the memory marks bracket the creation of (connections, subscriptions), if any. */
  readonly memoryUnits?: number;
  readonly lost: number;
  readonly duplicates: number;
  /** The generator's CPU time over wall time during the timed parts (1 = one core). */
  readonly generatorCpu: number;
}

export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly unit: "msg/s" | "conn/s" | "ms" | "B";
  readonly better: "higher" | "lower";
  /** Filled in by the broker's holder from RSS at the memory marks. */
  readonly fromMemory?: boolean;
}

export interface RunContext {
  readonly target: Target;
  readonly size: Size;
  readonly hooks: ScenarioHooks;
  /** Unique per run: prefixes every client id. */
  readonly runId: string;
  /** Every node of a cluster, `target` first (cluster suite); `[target]` for one broker. */
  readonly nodes: readonly Target[];
}

export interface ScenarioDefinition<Id extends string = ScenarioId> {
  readonly id: Id;
  readonly number: number;
  readonly title: string;
  readonly metrics: readonly Metric[];
  run(context: RunContext): Promise<ScenarioResult<Id>>;
}

const PAYLOAD_BYTES = 64;
const STALL_MS = 3000;

const noHooks: ScenarioHooks = { mark: async () => undefined };

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

export function singleTopicPublisher(
  topic: string,
  qos: QoS,
  deliveriesPerMessage: number,
): PublisherSpec {
  return {
    templates: [publishTemplate(topic, qos, PAYLOAD_BYTES)],
    first: 0,
    stride: 1,
    deliveriesPerMessage,
  };
}

export function flowOptions(
  context: RunContext,
  name: string,
  options: Omit<FlowOptions, "clientPrefix" | "stallMs" | "persistentSubscribers"> &
    Partial<Pick<FlowOptions, "persistentSubscribers">>,
): FlowOptions {
  return {
    persistentSubscribers: false,
    ...options,
    clientPrefix: `${context.runId}-${name}`,
    stallMs: STALL_MS,
  };
}

/** Publishing time of a throughput phase, and of its warm-up (JIT, buffers, caches). */
const PHASE_MS: Readonly<Record<Size, { warmup: number; measured: number }>> = {
  quick: { warmup: 100, measured: 300 },
  full: { warmup: 1000, measured: 4000 },
};

/** Warm-up phase, then the measured phase inside the measure marks; returns the latter. */
export async function measuredPhase(
  flow: Flow,
  context: RunContext,
  meter: Meter,
): Promise<PhaseResult> {
  const { warmup, measured } = PHASE_MS[context.size];
  await flow.runPhase({ durationMs: warmup });
  await context.hooks.mark("measure-start");
  meter.start();
  const result = await flow.runPhase({ durationMs: measured });
  meter.stop();
  await context.hooks.mark("measure-end");
  return result;
}

export function throughputResult<Id extends string>(
  scenario: Id,
  phase: PhaseResult,
  meter: Meter,
): ScenarioResult<Id> {
  return {
    scenario,
    figures: { throughput: (phase.deliveries / phase.milliseconds) * 1000 },
    lost: phase.lost,
    duplicates: phase.duplicates,
    generatorCpu: meter.cpuShare,
  };
}

/**
 * The throughput part of a scenario: subscribes `flow`, runs its warm-up and measured phases,
 * closes it. Returns the result and the measured phase (for figures of a caller's own).
 */
export async function measureThroughput<Id extends string>(
  scenario: Id,
  flow: Flow,
  context: RunContext,
): Promise<{ result: ScenarioResult<Id>; phase: PhaseResult }> {
  try {
    await flow.subscribe();
    const meter = new Meter();
    const phase = await measuredPhase(flow, context, meter);
    return { result: throughputResult(scenario, phase, meter), phase };
  } finally {
    flow.close();
  }
}

export const THROUGHPUT: readonly Metric[] = [
  { key: "throughput", label: "delivered", unit: "msg/s", better: "higher" },
];

const fanIn: ScenarioDefinition = {
  id: "fan-in",
  number: 1,
  title: "fan-in QoS 0: 8 publishers -> 1 subscriber on a wildcard",
  metrics: THROUGHPUT,
  async run(context) {
    const publishers = 8;
    const flow = await Flow.connect(
      context.target,
      flowOptions(context, "fan-in", {
        qos: 0,
        publishers: range(publishers).map((index) =>
          singleTopicPublisher(`bench/fan-in/${index}`, 0, 1),
        ),
        subscribers: [{ filters: ["bench/fan-in/+"], filtersPerSubscribe: 1 }],
        window: 1000,
        ordered: true,
      }),
    );
    return (await measureThroughput("fan-in", flow, context)).result;
  },
};

const fanOut: ScenarioDefinition = {
  id: "fan-out",
  number: 2,
  title: "fan-out QoS 0: 1 publisher -> 100 subscribers on one topic",
  metrics: THROUGHPUT,
  async run(context) {
    const subscribers = 100;
    const flow = await Flow.connect(
      context.target,
      flowOptions(context, "fan-out", {
        qos: 0,
        publishers: [singleTopicPublisher("bench/fan-out", 0, subscribers)],
        subscribers: range(subscribers).map(() => ({
          filters: ["bench/fan-out"],
          filtersPerSubscribe: 1,
        })),
        window: 100,
        ordered: true,
      }),
    );
    return (await measureThroughput("fan-out", flow, context)).result;
  },
};

function acknowledgedPairs(id: "qos1" | "qos2", number: number, qos: 1 | 2): ScenarioDefinition {
  return {
    id,
    number,
    title:
      `QoS ${qos}: 8 publishers (window of 100 unacknowledged) -> 8 persistent-session ` +
      "subscribers acknowledging, one topic per pair, no loss checked by sequence numbers",
    metrics: THROUGHPUT,
    async run(context) {
      const pairs = 8;
      const flow = await Flow.connect(
        context.target,
        flowOptions(context, id, {
          qos,
          publishers: range(pairs).map((index) =>
            singleTopicPublisher(`bench/${id}/${index}`, qos, 1),
          ),
          subscribers: range(pairs).map((index) => ({
            filters: [`bench/${id}/${index}`],
            filtersPerSubscribe: 1,
          })),
          window: 100,
          ordered: true,
          persistentSubscribers: true,
        }),
      );
      return (await measureThroughput(id, flow, context)).result;
    },
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

const LATENCY_RATE = 2000;

const latency: ScenarioDefinition = {
  id: "latency",
  number: 5,
  title: `latency at a fixed rate of ${LATENCY_RATE} msg/s, 1 publisher -> 1 subscriber`,
  metrics: [0, 1].flatMap((qos) => [
    { key: `qos${qos}P50`, label: `QoS ${qos} p50`, unit: "ms", better: "lower" } as const,
    { key: `qos${qos}P99`, label: `QoS ${qos} p99`, unit: "ms", better: "lower" } as const,
    { key: `qos${qos}Max`, label: `QoS ${qos} max`, unit: "ms", better: "lower" } as const,
  ]),
  async run(context) {
    const figures: Record<string, number> = {};
    const meter = new Meter();
    let lost = 0;
    let duplicates = 0;
    const seconds = context.size === "quick" ? 0.3 : 5;
    for (const qos of [0, 1] as const) {
      const flow = await Flow.connect(
        context.target,
        flowOptions(context, `latency-${qos}`, {
          qos,
          publishers: [singleTopicPublisher(`bench/latency/${qos}`, qos, 1)],
          subscribers: [{ filters: [`bench/latency/${qos}`], filtersPerSubscribe: 1 }],
          window: 1000,
          ordered: true,
        }),
      );
      try {
        await flow.subscribe();
        await flow.runPhase({ messagesPerPublisher: LATENCY_RATE / 10, rate: LATENCY_RATE });
        const latencies: number[] = [];
        await context.hooks.mark("measure-start");
        meter.start();
        const phase = await flow.runPhase({
          messagesPerPublisher: Math.round(LATENCY_RATE * seconds),
          rate: LATENCY_RATE,
          latencies,
        });
        meter.stop();
        await context.hooks.mark("measure-end");
        lost += phase.lost;
        duplicates += phase.duplicates;
        const sorted = Float64Array.from(latencies).sort();
        figures[`qos${qos}P50`] = percentile(sorted, 0.5);
        figures[`qos${qos}P99`] = percentile(sorted, 0.99);
        figures[`qos${qos}Max`] = sorted[sorted.length - 1] ?? Number.NaN;
      } finally {
        flow.close();
      }
    }
    return { scenario: "latency", figures, lost, duplicates, generatorCpu: meter.cpuShare };
  },
};

const idleConnections: ScenarioDefinition = {
  id: "idle-connections",
  number: 6,
  title: "idle connections (10,000 in full mode): connect rate and broker memory per connection",
  metrics: [
    { key: "connectRate", label: "connect rate", unit: "conn/s", better: "higher" },
    {
      key: "memoryPerUnit",
      label: "RSS per connection",
      unit: "B",
      better: "lower",
      fromMemory: true,
    },
  ],
  async run(context) {
    const count = context.size === "quick" ? 200 : 10_000;
    const meter = new Meter();
    await context.hooks.mark("memory-before");
    await context.hooks.mark("measure-start");
    meter.start();
    const clients = await connectMany(
      context.target,
      count,
      (index) => `${context.runId}-idle-${index}`,
      100,
    );
    const milliseconds = meter.stop();
    try {
      await context.hooks.mark("measure-end");
      await context.hooks.mark("memory-after");
    } finally {
      closeAll(clients);
    }
    return {
      scenario: "idle-connections",
      figures: { connectRate: (count / milliseconds) * 1000 },
      memoryUnits: count,
      lost: 0,
      duplicates: 0,
      generatorCpu: meter.cpuShare,
    };
  },
};

const retained: ScenarioDefinition = {
  id: "retained",
  number: 7,
  title: "retained messages (50,000 in full mode), then a `#` subscriber: time to receive all",
  metrics: [{ key: "milliseconds", label: "all received", unit: "ms", better: "lower" }],
  async run(context) {
    const count = context.size === "quick" ? 1000 : 50_000;
    // Seeded at QoS 1, each acknowledged (so stored) before the subscriber comes; a live
    // subscriber of the same topics confirms every one went through.
    const seeder = await Flow.connect(
      context.target,
      flowOptions(context, "retained-seed", {
        qos: 1,
        publishers: [
          {
            templates: range(count).map((index) =>
              publishTemplate(`bench/retained/${index}`, 1, 16, true),
            ),
            first: 0,
            stride: 1,
            deliveriesPerMessage: 1,
          },
        ],
        subscribers: [{ filters: ["bench/retained/#"], filtersPerSubscribe: 1 }],
        window: 200,
        ordered: true,
      }),
    );
    try {
      await seeder.subscribe();
      await seeder.runPhase({ messagesPerPublisher: count });
    } finally {
      seeder.close();
    }
    const client = await connectClient(context.target, `${context.runId}-retained-sub`);
    try {
      const meter = new Meter();
      let received = 0;
      const all = new Promise<boolean>((resolve) => {
        let lastReceived = 0;
        const progressCheck = setInterval(() => {
          if (received === lastReceived) {
            clearInterval(progressCheck);
            resolve(false);
          }
          lastReceived = received;
        }, STALL_MS);
        client.onFrame = (firstByte) => {
          if (firstByte >> 4 !== PUBLISH || (firstByte & 1) === 0) return;
          received += 1;
          if (received === count) {
            clearInterval(progressCheck);
            resolve(true);
          }
        };
      });
      await context.hooks.mark("measure-start");
      meter.start();
      client.socket.write(encodeSubscribe(1, ["#"], 0));
      await all;
      const milliseconds = meter.stop();
      await context.hooks.mark("measure-end");
      return {
        scenario: "retained",
        figures: { milliseconds },
        lost: count - received,
        duplicates: 0,
        generatorCpu: meter.cpuShare,
      };
    } finally {
      client.socket.destroy();
    }
  },
};

const FILTERS_PER_CONNECTION = 100;

const wideSubscriptions: ScenarioDefinition = {
  id: "wide-subscriptions",
  number: 8,
  title:
    "wildcard subscriptions (50,000 over 500 connections in full mode, 100 each, 10 per " +
    "SUBSCRIBE, `+` and `#`): time to take them, memory, then 8 QoS 0 publishers whose " +
    "every message matches one subscription",
  metrics: [
    { key: "subscribeMs", label: "subscribe all", unit: "ms", better: "lower" },
    {
      key: "memoryPerUnit",
      label: "RSS per subscription",
      unit: "B",
      better: "lower",
      fromMemory: true,
    },
    { key: "throughput", label: "delivered", unit: "msg/s", better: "higher" },
  ],
  async run(context) {
    const connections = context.size === "quick" ? 20 : 500;
    const publishers = 8;
    const topic = (connection: number, index: number): string =>
      `bench/wide/${connection}/${index}`;
    const templates = range(connections).flatMap((connection) =>
      range(FILTERS_PER_CONNECTION).map((index) =>
        publishTemplate(`${topic(connection, index)}/x`, 0, PAYLOAD_BYTES),
      ),
    );
    const flow = await Flow.connect(
      context.target,
      flowOptions(context, "wide", {
        qos: 0,
        publishers: range(publishers).map((first) => ({
          templates,
          first,
          stride: publishers,
          deliveriesPerMessage: 1,
        })),
        subscribers: range(connections).map((connection) => ({
          filters: range(FILTERS_PER_CONNECTION).map(
            (index) => `${topic(connection, index)}/${index % 2 === 0 ? "+" : "#"}`,
          ),
          filtersPerSubscribe: 10,
        })),
        window: 1000,
        ordered: false,
      }),
    );
    try {
      await context.hooks.mark("memory-before");
      const subscribeMeter = new Meter();
      subscribeMeter.start();
      await flow.subscribe();
      const subscribeMs = subscribeMeter.stop();
      await context.hooks.mark("memory-after");
      const meter = new Meter();
      const phase = await measuredPhase(flow, context, meter);
      return {
        scenario: "wide-subscriptions",
        figures: { subscribeMs, throughput: (phase.deliveries / phase.milliseconds) * 1000 },
        memoryUnits: connections * FILTERS_PER_CONNECTION,
        lost: phase.lost,
        duplicates: phase.duplicates,
        generatorCpu: meter.cpuShare,
      };
    } finally {
      flow.close();
    }
  },
};

/** Every scenario, in the order. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  fanIn,
  fanOut,
  acknowledgedPairs("qos1", 3, 1),
  acknowledgedPairs("qos2", 4, 2),
  latency,
  idleConnections,
  retained,
  wideSubscriptions,
];

export function scenarioById(id: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((scenario) => scenario.id === id);
}

/**
 * Runs one scenario against a broker at `target`, e.g. from a CLI. Without hooks, the memory
 * figures are absent (only the broker's holder can read its RSS).
 */
export function runScenario(
  id: string,
  target: Target,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const scenario = scenarioById(id);
  if (scenario === undefined) throw new Error(`unknown scenario ${id}`);
  return scenario.run(runContext(target, options));
}

export interface RunOptions {
  readonly size?: Size;
  readonly hooks?: ScenarioHooks;
  readonly runId?: string;
  /** Every node of a cluster (see `RunContext.nodes`). */
  readonly nodes?: readonly Target[];
}

/** The context of a scenario run, with the defaults of `runScenario`. */
export function runContext(target: Target, options: RunOptions): RunContext {
  return {
    target,
    size: options.size ?? "full",
    hooks: options.hooks ?? noHooks,
    runId: options.runId ?? `bench-${process.pid}-${Date.now().toString(36)}`,
    nodes: options.nodes ?? [target],
  };
}
