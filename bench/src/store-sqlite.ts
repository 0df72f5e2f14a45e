// The SQLite store (@ternmq/store-sqlite) on its own, without a broker:
//
// 1. updates: QoS 1 journaling as a broker does it for a persistent subscriber, per message
//    `update(enqueue)`, `update(dequeue + putInflight + nextPacketId)`, `update(removeInflight)`,
//    `perTurn` messages issued per event-loop turn (so one group commit holds 3 x perTurn
//    updates), awaited turn by turn. MemorySessionStore vs SQLite "fsync" and "relaxed";
//    updates per second and the factor memory / SQLite.
// 2. retained: 10^6 retained messages written once, then, per run: open + count + stream
//    every message through `match("#")` (the broker's start-up and a `#` subscription).
// 3. churn: `sessions` sessions saved, filled with `fill` messages, drained, deleted; repeated
//    `rounds` times; the size of the database (file + WAL) after each round.
//
// Every measurement is the median of `runs` (at least 3) runs, cases interleaved run by run.
//
//   pnpm --filter @ternmq/bench exec node --import tsx --conditions=@ternmq/source \
//     src/store-sqlite.ts [--runs 3] [--messages 20000] [--retained 1000000] \
//     [--sessions 10000] [--fill 10] [--rounds 5] [--only updates|retained|churn]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  MemorySessionStore,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
} from "@ternmq/session";
import { type Durability, openSqliteStore, type SqliteStore } from "@ternmq/store-sqlite";

interface Settings {
  runs: number;
  messages: number;
  retained: number;
  sessions: number;
  fill: number;
  rounds: number;
}

function settingsOf(args: readonly string[]): { settings: Settings; only: string | undefined } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      runs: { type: "string", default: "3" },
      messages: { type: "string", default: "20000" },
      retained: { type: "string", default: "1000000" },
      sessions: { type: "string", default: "10000" },
      fill: { type: "string", default: "10" },
      rounds: { type: "string", default: "5" },
      only: { type: "string" },
    },
  });
  return {
    settings: {
      runs: Math.max(3, Number(values.runs)),
      messages: Number(values.messages),
      retained: Number(values.retained),
      sessions: Number(values.sessions),
      fill: Number(values.fill),
      rounds: Number(values.rounds),
    },
    only: values.only,
  };
}

function median(samples: readonly number[]): number {
  const sorted = samples.slice().sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), "ternmq-bench-store-"));
}

function record(clientId: string): SessionRecord {
  return {
    clientId,
    createdAt: 0,
    updatedAt: 0,
    sessionExpiryInterval: 0xffff_ffff,
    subscriptions: [{ topicFilter: "bench/#", qos: 1 }],
    snapshot: {
      version: 1,
      outbound: { inflight: [], queued: [], nextPacketId: 1 },
      inbound: { awaitingPubrel: [] },
    },
  };
}

function benchMessage(index: number): SessionMessage {
  return { topic: `bench/${index & 63}`, payload: new Uint8Array(64), qos: 1, retain: false };
}

const format = (value: number) => Math.round(value).toLocaleString("en-US");

// 1. updates ---------------------------------------------------------------------------

interface UpdateTarget {
  name: string;
  open(): { sessions: SessionStore; close(): Promise<void> };
}

function sqliteTarget(durability: Durability): UpdateTarget {
  return {
    name: `sqlite ${durability}`,
    open() {
      const directory = temporaryFolder();
      const store = openSqliteStore({ directory, durability });
      return {
        sessions: store.sessions,
        async close() {
          await store.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  };
}

const memoryTarget: UpdateTarget = {
  name: "memory",
  open() {
    const sessions = new MemorySessionStore();
    return { sessions, close: () => sessions.close() };
  },
};

/** Runs `messages` QoS 1 journal cycles, `perTurn` per turn; returns updates per second. */
async function updatesPerSecond(
  target: UpdateTarget,
  messages: number,
  perTurn: number,
): Promise<number> {
  const { sessions, close } = target.open();
  await sessions.save(record("subscriber"));
  let packetId = 1;
  const started = performance.now();
  for (let sent = 0; sent < messages; sent += perTurn) {
    const writes: Promise<void>[] = [];
    for (let index = 0; index < perTurn; index++) {
      const message = benchMessage(sent + index);
      const id = packetId;
      packetId = packetId === 65_535 ? 1 : packetId + 1;
      writes.push(sessions.update("subscriber", { enqueue: [message] }));
      writes.push(
        sessions.update("subscriber", {
          dequeue: 1,
          putInflight: [{ packetId: id, state: "awaiting-puback", message }],
          nextPacketId: packetId,
        }),
      );
      writes.push(sessions.update("subscriber", { removeInflight: [id] }));
    }
    await Promise.all(writes);
  }
  const seconds = (performance.now() - started) / 1000;
  await close();
  return (messages * 3) / seconds;
}

async function benchUpdates({ runs, messages }: Settings): Promise<void> {
  const targets = [memoryTarget, sqliteTarget("fsync"), sqliteTarget("relaxed")];
  console.log(`\n## updates: ${format(messages)} QoS 1 messages x 3 updates, median of ${runs}`);
  console.log("| messages per turn | store | updates/s | memory / this |");
  console.log("|---|---|---|---|");
  for (const perTurn of [1, 10, 100]) {
    const samples = new Map<string, number[]>(targets.map((target) => [target.name, []]));
    // Fewer messages at one per turn: each turn is a commit (an fsync with "fsync").
    const count = perTurn === 1 ? Math.min(messages, 5000) : messages;
    for (let attempt = 0; attempt < runs; attempt++) {
      for (const target of targets) {
        samples.get(target.name)?.push(await updatesPerSecond(target, count, perTurn));
      }
    }
    const memory = median(samples.get(memoryTarget.name) ?? []);
    for (const target of targets) {
      const rate = median(samples.get(target.name) ?? []);
      console.log(
        `| ${perTurn} | ${target.name} | ${format(rate)} | ${(memory / rate).toFixed(1)} |`,
      );
    }
  }
}

// 2. retained ----------------------------------------------------------------------------

async function fillRetained(directory: string, count: number): Promise<void> {
  const store = openSqliteStore({ directory, durability: "relaxed" });
  const payload = new Uint8Array(64).fill(7);
  for (let written = 0; written < count; written += 10_000) {
    const writes: Promise<void>[] = [];
    for (let index = written; index < Math.min(count, written + 10_000); index++) {
      writes.push(
        store.retained.set({
          topic: `sensors/${index >> 10}/${index & 1023}/value`,
          payload,
          qos: 1,
          retain: true,
          receivedAt: index,
        }),
      );
    }
    await Promise.all(writes);
  }
  await store.close();
}

async function benchRetained({ runs, retained: count }: Settings): Promise<void> {
  const directory = temporaryFolder();
  try {
    const fillStarted = performance.now();
    await fillRetained(directory, count);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const openMs: number[] = [];
    const countMs: number[] = [];
    const streamMs: number[] = [];
    let longestPageGapMs = 0;
    for (let attempt = 0; attempt < runs; attempt++) {
      const started = performance.now();
      const store: SqliteStore = openSqliteStore({ directory });
      const opened = performance.now();
      const stored = await store.retained.count();
      const counted = performance.now();
      let streamed = 0;
      // How long the event loop was blocked at most: the gap between two ticks of a timer.
      let lastTick = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        longestPageGapMs = Math.max(longestPageGapMs, now - lastTick);
        lastTick = now;
      }, 1);
      for await (const _message of store.retained.match("#")) streamed++;
      clearInterval(ticker);
      const done = performance.now();
      await store.close();
      if (streamed !== count || stored !== count) {
        throw new Error(`streamed ${streamed}, counted ${stored}, expected ${count}`);
      }
      openMs.push(opened - started);
      countMs.push(counted - opened);
      streamMs.push(done - counted);
    }
    const size = databaseSize(directory);
    console.log(`\n## retained: ${format(count)} messages (64-byte payloads), median of ${runs}`);
    console.log(`written in ${fillSeconds.toFixed(1)} s (relaxed, 10,000 per turn)`);
    console.log(
      '| open | count() | match("#") streamed | total | database | longest gap between 1 ms timer ticks |',
    );
    console.log("|---|---|---|---|---|---|");
    const total = median(openMs) + median(countMs) + median(streamMs);
    console.log(
      `| ${median(openMs).toFixed(1)} ms | ${median(countMs).toFixed(2)} ms | ${(median(streamMs) / 1000).toFixed(2)} s | ${(total / 1000).toFixed(2)} s | ${(size / 1e6).toFixed(0)} MB | ${longestPageGapMs.toFixed(1)} ms |`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// 3. churn -------------------------------------------------------------------------------

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // no WAL file at the moment
  }
}

/** Bytes of the database file and of its WAL. */
function databaseSizes(directory: string): { database: number; wal: number } {
  return {
    database: fileSize(join(directory, "ternmq.db")),
    wal: fileSize(join(directory, "ternmq.db-wal")),
  };
}

function databaseSize(directory: string): number {
  const { database, wal } = databaseSizes(directory);
  return database + wal;
}

interface ChurnSizes {
  /** Database and WAL after each round, the store open. */
  rounds: { database: number; wal: number }[];
  /** The database file once the store is closed (WAL checkpointed and removed). */
  closed: number;
}

async function churnSizes({ sessions, fill, rounds }: Settings): Promise<ChurnSizes> {
  const directory = temporaryFolder();
  const store = openSqliteStore({ directory, durability: "relaxed" });
  const sizes: { database: number; wal: number }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const ids = Array.from({ length: sessions }, (_, index) => `churn-${round}-${index}`);
      await Promise.all(ids.map((clientId) => store.sessions.save(record(clientId))));
      for (let index = 0; index < fill; index++) {
        await Promise.all(
          ids.map((clientId) =>
            store.sessions.update(clientId, { enqueue: [benchMessage(index)] }),
          ),
        );
      }
      await Promise.all(ids.map((clientId) => store.sessions.update(clientId, { dequeue: fill })));
      await Promise.all(ids.map((clientId) => store.sessions.delete(clientId)));
      sizes.push(databaseSizes(directory));
    }
    await store.close();
    return { rounds: sizes, closed: fileSize(join(directory, "ternmq.db")) };
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function benchChurn(settings: Settings): Promise<void> {
  const { runs } = settings;
  const samples: ChurnSizes[] = [];
  for (let attempt = 0; attempt < runs; attempt++) samples.push(await churnSizes(settings));
  const rounds = samples[0]?.rounds.length ?? 0;
  console.log(
    `\n## churn: ${format(settings.sessions)} sessions x ${settings.fill} messages, saved, filled, drained, deleted; median of ${runs}`,
  );
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  console.log("| after round | database file | WAL file |");
  console.log("|---|---|---|");
  for (let round = 0; round < rounds; round++) {
    const database = median(samples.map((sizes) => sizes.rounds[round]?.database ?? 0));
    const wal = median(samples.map((sizes) => sizes.rounds[round]?.wal ?? 0));
    console.log(`| ${round + 1} | ${megabytes(database)} | ${megabytes(wal)} |`);
  }
  console.log(`| closed | ${megabytes(median(samples.map((sizes) => sizes.closed)))} | - |`);
}

/** Runs the three measurements (or the one named by `--only`). */
export async function run(args: readonly string[] = []): Promise<void> {
  const { settings, only } = settingsOf(args);
  if (only === undefined || only === "updates") await benchUpdates(settings);
  if (only === undefined || only === "churn") await benchChurn(settings);
  if (only === undefined || only === "retained") await benchRetained(settings);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await run(process.argv.slice(2));
}
