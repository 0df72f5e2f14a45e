// `pnpm bench session`: QoS round trips through a pair of @ternmq/session engines, with no
// I/O: the client publishes, the server handles the PUBLISH and acknowledges, the
// acknowledgements flow back until the client sees `publish-complete`. Packets are handed
// over as objects (no codec), so this measures the engine alone. Each case runs BATCHES
// batches of BATCH_SIZE round trips after a warm-up; it prints the median batch as time per
// round trip and round trips per second. Batches timed with performance.now() replace
// mitata's sampler here: at about a microsecond per call, which case ran first decided the
// JIT state and thus the result (the first case came out several times faster than the same
// case run later), so every case is warmed up, interleaved, before any is measured.
import type { Packet } from "@ternmq/codec";
import { ClientSession, ServerSession, type Session, type SessionMessage } from "@ternmq/session";

interface Case {
  name: string;
  /** One complete flow, returning how many packets crossed the link. */
  roundTrip: () => number;
  /** Both engines are back to empty (checked after measuring, so the flows really ended). */
  settled: () => boolean;
}

function connectedPair(serverAutoAck: boolean): {
  client: ClientSession;
  server: ServerSession;
  settled: () => boolean;
} {
  const client = new ClientSession();
  const server = new ServerSession({ autoAcknowledge: serverAutoAck });
  server.connected(0, { sessionPresent: false });
  client.connected(0, { sessionPresent: false });
  const settled = () =>
    client.counters.inflight === 0 &&
    server.counters.inboundOpen === 0 &&
    client.counters.queued === 0;
  return { client, server, settled };
}

/**
 * Delivers `first` to `to`, then each reply to the other side, until nothing is sent back.
 * Every flow here is a ping-pong of one packet at a time. Returns the packets that crossed.
 */
function pump(first: Packet | undefined, to: Session, from: Session): number {
  let crossed = 0;
  let packet = first;
  let receiver = to;
  let sender = from;
  while (packet !== undefined) {
    crossed++;
    packet = receiver.handlePacket(packet, 0).send[0];
    const previous = receiver;
    receiver = sender;
    sender = previous;
  }
  return crossed;
}

function flowCase(name: string, qos: 1 | 2): Case {
  const { client, server, settled } = connectedPair(true);
  const message: SessionMessage = {
    topic: "bench/session",
    payload: new Uint8Array(64),
    qos,
    retain: false,
  };
  return {
    name,
    roundTrip: () => pump(client.publish(message, 0).send[0], server, client),
    settled,
  };
}

/** The durable-broker pattern: the server delivers, then acknowledges explicitly. */
function manualAckCase(): Case {
  const { client, server, settled } = connectedPair(false);
  const message: SessionMessage = {
    topic: "bench/session",
    payload: new Uint8Array(64),
    qos: 1,
    retain: false,
  };
  return {
    name: "QoS 1, server acknowledge() after delivery",
    roundTrip: () => {
      const [publish] = client.publish(message, 0).send;
      if (publish === undefined) throw new Error("nothing sent");
      const delivered = server.handlePacket(publish, 0).events[0];
      if (delivered?.type !== "message" || delivered.packetId === undefined)
        throw new Error("no delivery");
      return 1 + pump(server.acknowledge(delivered.packetId, 0).send[0], client, server);
    },
    settled,
  };
}

const WARMUP_ROUND_TRIPS = 200_000;
const BATCHES = 41;
const BATCH_SIZE = 20_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Runs every case, interleaved, before measuring any: the engine (and this harness) then
 * reach the same mixed-flow JIT state a real shell sees, instead of the first case being
 * measured monomorphic and the later ones after deoptimisations.
 */
function warmUp(cases: readonly Case[]): void {
  for (let round = 0; round < 10; round++) {
    for (const benchCase of cases) {
      for (let index = 0; index < WARMUP_ROUND_TRIPS / 10; index++) benchCase.roundTrip();
    }
  }
}

function measureCase(benchCase: Case): { nsPerRoundTrip: number; packets: number } {
  const packets = benchCase.roundTrip();
  const batchNs: number[] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    const start = performance.now();
    for (let index = 0; index < BATCH_SIZE; index++) benchCase.roundTrip();
    batchNs.push(((performance.now() - start) * 1e6) / BATCH_SIZE);
  }
  return { nsPerRoundTrip: median(batchNs), packets };
}

export async function run(): Promise<void> {
  const cases = [
    flowCase("QoS 1 round trip (PUBLISH, PUBACK)", 1),
    flowCase("QoS 2 round trip (PUBLISH, PUBREC, PUBREL, PUBCOMP)", 2),
    manualAckCase(),
  ];
  console.log(
    `engine pair, no I/O, 64-byte payload; median of ${BATCHES} batches of ${BATCH_SIZE}`,
  );
  warmUp(cases);
  for (const benchCase of cases) {
    const { nsPerRoundTrip, packets } = measureCase(benchCase);
    if (!benchCase.settled()) throw new Error(`${benchCase.name}: flows left unfinished`);
    const perSecond = Math.round(1e9 / nsPerRoundTrip);
    console.log(
      `${benchCase.name.padEnd(54)} ${packets} packets  median ${nsPerRoundTrip.toFixed(0).padStart(5)} ns` +
        `  ${perSecond.toLocaleString("en-US").padStart(10)} round trips/s`,
    );
  }
}
