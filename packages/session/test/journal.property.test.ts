/**
 * Property test of the engine journal: a journaling session (server or client) runs a random
 * sequence of operations (publishes at every QoS while connected and disconnected, with tiny
 * windows and queues so they fill up; acknowledgements for known and unknown ids, including
 * out-of-state ones that the engine rejects; inbound QoS 1/2 with manual or automatic
 * acknowledgement and duplicates; connection loss; reconnects with and without a session;
 * timeouts; client SUBSCRIBE; restarts from the STORED snapshot). Every Step's `changes` is
 * applied to a MemorySessionStore, and after every call the stored snapshot must equal
 * `session.snapshot()`.
 *
 * Reproduce a failure with the seed and path fast-check prints. SESSION_JOURNAL_SEED=<n> and
 * SESSION_JOURNAL_RUNS=<n> change the run (default: seed 20261125, 400 runs).
 */

import type { Packet, ProtocolVersion, QoS } from "@ternmq/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ClientSession,
  type ClientSessionOptions,
  ServerSession,
  type Session,
  SessionError,
  type SessionSnapshot,
  type Step,
} from "../src/index.js";
import { comparable } from "../src/testing/test-api.js";
import { message } from "./harness.js";
import { Mirror } from "./journal-mirror.js";

const SEED = Number(process.env.SESSION_JOURNAL_SEED ?? 20_261_125);
const RUNS = Number(process.env.SESSION_JOURNAL_RUNS ?? 400);

/** An id no flow uses: acknowledgements for unknown ids. */
const UNKNOWN_ID = 60_000;

type Command =
  | { kind: "publish"; qos: QoS; topic: string }
  | { kind: "ack"; type: "puback" | "pubrec" | "pubcomp"; pick: number; failed: boolean }
  | { kind: "inbound"; qos: 1 | 2; packetId: number; dup: boolean }
  | { kind: "pubrel"; packetId: number }
  | { kind: "acknowledge"; packetId: number }
  | { kind: "subscribe" }
  | { kind: "suback"; pick: number }
  | { kind: "connectionLost" }
  | { kind: "connected"; sessionPresent: boolean; inflightWindow: number | undefined }
  | { kind: "timeout"; ms: number }
  | { kind: "restart" };

/** The peer's packet ids: a small range so that duplicates and reuse are frequent. */
const peerId = fc.integer({ min: 1, max: 4 });

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("publish" as const),
      qos: fc.constantFrom<QoS>(0, 1, 2),
      topic: fc.constantFrom("t", "topic/long/enough/to/fill/bytes"),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("ack" as const),
      type: fc.constantFrom("puback" as const, "pubrec" as const, "pubcomp" as const),
      pick: fc.nat(),
      failed: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("inbound" as const),
      qos: fc.constantFrom<1 | 2>(1, 2),
      packetId: peerId,
      dup: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("pubrel" as const), packetId: peerId }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("acknowledge" as const), packetId: peerId }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("subscribe" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("suback" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("connectionLost" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("connected" as const),
      sessionPresent: fc.boolean(),
      inflightWindow: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("timeout" as const),
      ms: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restart" as const) }) },
);

const scenario = fc.record({
  role: fc.constantFrom("server" as const, "client" as const),
  protocolVersion: fc.constantFrom<ProtocolVersion>(4, 5),
  inflightWindow: fc.integer({ min: 1, max: 3 }),
  maxMessages: fc.integer({ min: 0, max: 4 }),
  maxBytes: fc.constantFrom(40, 100, 10_000),
  overflow: fc.constantFrom("reject-new" as const, "drop-oldest" as const),
  queueQoS0WhileOffline: fc.boolean(),
  autoAcknowledge: fc.boolean(),
  retry: fc.boolean(),
  startConnected: fc.boolean(),
  commands: fc.array(command, { minLength: 10, maxLength: 60, size: "max" }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function optionsOf(scenario: Scenario): ClientSessionOptions {
  return {
    journal: true,
    protocolVersion: scenario.protocolVersion,
    inflightWindow: scenario.inflightWindow,
    queue: {
      maxMessages: scenario.maxMessages,
      maxBytes: scenario.maxBytes,
      overflow: scenario.overflow,
      queueQoS0WhileOffline: scenario.queueQoS0WhileOffline,
    },
    autoAcknowledge: scenario.autoAcknowledge,
    keepaliveSeconds: 1,
    // In-session retry is 3.1.1 only [MQTT-4.4.0-1].
    retryIntervalMs: scenario.retry && scenario.protocolVersion === 4 ? 500 : undefined,
  };
}

function create(scenario: Scenario, snapshot?: SessionSnapshot): Session {
  const options = optionsOf(scenario);
  return scenario.role === "server"
    ? new ServerSession(options, snapshot)
    : new ClientSession(options, snapshot);
}

/** Runs one scenario; resolves when every step kept the store in sync. */
async function run(scenario: Scenario): Promise<void> {
  let mirror = await Mirror.of(create(scenario));
  if (scenario.startConnected) {
    await mirror.apply(mirror.session.connected(0, { sessionPresent: false }));
  }
  let now = 0;
  let serial = 0;
  const requests: number[] = [];

  const step = (command: Command): Step | undefined => {
    const session = mirror.session;
    const inflight = session.snapshot().outbound.inflight.map((entry) => entry.packetId);
    const packet = (value: Packet): Step => session.handlePacket(value, now);
    switch (command.kind) {
      case "publish":
        serial++;
        return session.publish(message(serial, command.qos, command.topic), now);
      case "ack": {
        const packetId = inflight[command.pick % (inflight.length + 1)] ?? UNKNOWN_ID;
        if (command.failed && command.type === "pubrec" && scenario.protocolVersion === 5) {
          return packet({ type: "pubrec", packetId, reasonCode: 0x80 });
        }
        return packet({ type: command.type, packetId });
      }
      case "inbound":
        serial++;
        return packet({
          ...message(serial, command.qos),
          type: "publish",
          packetId: command.packetId,
          dup: command.dup,
        });
      case "pubrel":
        return packet({ type: "pubrel", packetId: command.packetId });
      case "acknowledge":
        return session.acknowledge(command.packetId, now);
      case "subscribe": {
        if (!(session instanceof ClientSession)) return packet({ type: "pingreq" });
        const request = session.subscribe([{ topicFilter: "t", qos: 1 }], now);
        requests.push(request.packetId);
        return request;
      }
      case "suback": {
        const packetId = requests[command.pick % (requests.length + 1)] ?? UNKNOWN_ID;
        return packet({ type: "suback", packetId, reasonCodes: [1] });
      }
      case "connectionLost":
        return session.connectionLost();
      case "connected":
        return session.connected(now, {
          sessionPresent: command.sessionPresent,
          inflightWindow: command.inflightWindow,
        });
      case "timeout":
        now += command.ms;
        return session.handleTimeout(now);
      case "restart":
        return undefined;
    }
  };

  for (const command of scenario.commands) {
    if (command.kind === "restart") {
      // The process dies: the engine comes back from what the store holds.
      const stored = await mirror.stored();
      const restored = create(scenario, stored);
      expect(comparable(restored.snapshot())).toStrictEqual(comparable(stored));
      mirror = await Mirror.of(restored);
      requests.length = 0;
      continue;
    }
    let result: Step | undefined;
    try {
      result = step(command);
    } catch (error) {
      // Violations and misuse throw before any state changes: the store stays in sync.
      if (!(error instanceof SessionError)) throw error;
    }
    if (result !== undefined) {
      const changes = result.changes;
      if (changes !== undefined) {
        // A change is never empty: "nothing changed" is `undefined`.
        expect(Object.values(changes).some((value) => value !== undefined)).toBe(true);
      }
      await mirror.apply(result);
    }
    await mirror.expectInSync();
  }
}

describe("journal property", () => {
  it(`every Step's changes keep a stored snapshot equal to session.snapshot() (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { seed: SEED, numRuns: RUNS });
  }, 120_000); // more runs (SESSION_JOURNAL_RUNS) need more than the default 5 s
});
