/**
 * Codec benchmark: TernMQ (@ternmq/codec) against mqtt-packet 9.0.2, side by side in one process
 * (`pnpm bench codec`).
 *
 * Design: every case is a pair of functions doing the same work on the same bytes, measured with
 * mitata's `measure` (median of the samples, in ns per call). Before anything is timed, a check
 * proves that both codecs produce byte-identical output for each encode case and accept the same
 * buffers as the same packets for each decode case, so the ratios compare equal work. Decoding
 * is compared like for like: a long-lived TernMQ `Decoder` (`push` + `next` until undefined)
 * against a long-lived mqtt-packet `parser` (`parse`, `packet` events), on one packet and on a
 * chunk of 100 packets. A CONNECT is the first packet of a connection, so its decode case makes
 * a fresh decoder / parser per call on both sides.
 */
import {
  Decoder,
  encode,
  type Packet,
  type ProtocolVersion,
  preparePublish,
  type QoS,
} from "@ternmq/codec";
import { do_not_optimize, measure } from "mitata";
import mqttPacket, {
  type IConnectPacket,
  type IPublishPacket,
  type ISubscribePacket,
  type Packet as PeerPacket,
} from "mqtt-packet";

const level: ProtocolVersion = 4;
const options = { protocolVersion: level } as const;
const topic = "sensors/room-12/temperature";
const payload = Buffer.alloc(64, 0x2a);

// ---------------------------------------------------------------------------------------------
// The packets, in both models

function ternPublish(qos: QoS): Packet {
  return qos === 0
    ? { type: "publish", topic, payload, qos, retain: false, dup: false }
    : { type: "publish", topic, payload, qos, retain: false, dup: false, packetId: 42 };
}

function peerPublish(qos: QoS): IPublishPacket {
  return qos === 0
    ? { cmd: "publish", topic, payload, qos, retain: false, dup: false }
    : { cmd: "publish", topic, payload, qos, retain: false, dup: false, messageId: 42 };
}

const filters = ["sensors/+/temperature", "alerts/#", "home/kitchen/light"] as const;
const ternSubscribe: Packet = {
  type: "subscribe",
  packetId: 7,
  subscriptions: filters.map((topicFilter, index) => ({ topicFilter, qos: (index % 3) as QoS })),
};
const peerSubscribe: ISubscribePacket = {
  cmd: "subscribe",
  messageId: 7,
  subscriptions: filters.map((filter, index) => ({ topic: filter, qos: (index % 3) as QoS })),
};

const willPayload = Buffer.from("offline");
const password = Buffer.from("s3cret-password");
const ternConnect: Packet = {
  type: "connect",
  protocolVersion: level,
  clientId: "bench-client-0001",
  clean: true,
  keepalive: 60,
  username: "bench-user",
  password,
  will: { topic: "clients/bench-client-0001/status", payload: willPayload, qos: 1, retain: true },
};
const peerConnect: IConnectPacket = {
  cmd: "connect",
  protocolId: "MQTT",
  protocolVersion: level,
  clientId: "bench-client-0001",
  clean: true,
  keepalive: 60,
  username: "bench-user",
  password,
  will: { topic: "clients/bench-client-0001/status", payload: willPayload, qos: 1, retain: true },
};
const connectBytes = Buffer.from(encode(ternConnect, options));

// ---------------------------------------------------------------------------------------------
// Decoding harnesses

/** A server-role decoder past its CONNECT, as on a live connection. */
function connectedDecoder(): Decoder {
  const decoder = new Decoder({ role: "server" });
  decoder.push(connectBytes);
  decoder.next();
  return decoder;
}

/** Decodes everything in `bytes`; returns the number of packets. */
function ternDecodeAll(decoder: Decoder, bytes: Uint8Array): number {
  decoder.push(bytes);
  let count = 0;
  for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
    do_not_optimize(packet);
    count++;
  }
  return count;
}

/** A parser that counts its packets; `last` keeps the most recent for the start-up check. */
function countingParser() {
  const parser = mqttPacket.parser({ protocolVersion: level });
  const state = { count: 0, last: undefined as PeerPacket | undefined };
  parser.on("packet", (packet) => {
    state.count++;
    state.last = packet;
  });
  parser.on("error", (error) => {
    throw error;
  });
  return { parser, state };
}

function repeat(bytes: Uint8Array, times: number): Buffer {
  return Buffer.concat(Array.from({ length: times }, () => bytes));
}

// ---------------------------------------------------------------------------------------------
// Cases

interface Case {
  name: string;
  /** Packets handled per call (for the per-packet rate of chunk cases). */
  packetsPerCall: number;
  tern: () => unknown;
  peer: () => unknown;
  /** Throws unless both sides do the same work (run once before timing). */
  check: () => void;
}

function sameBytes(what: string, left: Uint8Array, right: Uint8Array): void {
  if (!Buffer.from(left).equals(Buffer.from(right))) {
    throw new Error(
      `${what}: TernMQ and mqtt-packet bytes differ\n  ${Buffer.from(left).toString("hex")}\n  ` +
        Buffer.from(right).toString("hex"),
    );
  }
}

function encodeCase(name: string, tern: Packet, peer: PeerPacket): Case {
  return {
    name,
    packetsPerCall: 1,
    tern: () => encode(tern, options),
    peer: () => mqttPacket.generate(peer, options),
    check: () => sameBytes(name, encode(tern, options), mqttPacket.generate(peer, options)),
  };
}

/**
 * Decoding `times` copies of `packet` from one buffer. The check decodes the buffer once on
 * each side and re-encodes both results: both must give back the input bytes.
 */
function decodeCase(name: string, tern: Packet, times: number): Case {
  const single = Buffer.from(encode(tern, options));
  const bytes = times === 1 ? single : repeat(single, times);
  const decoder = connectedDecoder();
  const { parser } = countingParser();
  return {
    name,
    packetsPerCall: times,
    tern: () => ternDecodeAll(decoder, bytes),
    peer: () => parser.parse(bytes),
    check: () => {
      const checkDecoder = connectedDecoder();
      checkDecoder.push(bytes);
      const decoded = checkDecoder.next();
      let count = decoded === undefined ? 0 : 1;
      while (checkDecoder.next() !== undefined) count++;
      const checkParser = countingParser();
      checkParser.parser.parse(bytes);
      if (count !== times || checkParser.state.count !== times || decoded === undefined) {
        throw new Error(`${name}: decoded ${count} / ${checkParser.state.count} of ${times}`);
      }
      const peerPacket = checkParser.state.last as PeerPacket;
      sameBytes(`${name} (TernMQ re-encoded)`, encode(decoded, options), single);
      sameBytes(
        `${name} (mqtt-packet re-generated)`,
        mqttPacket.generate(peerPacket, options),
        single,
      );
    },
  };
}

/** CONNECT decode: the first packet of a connection, so fresh decoder / parser per call. */
function connectDecodeCase(): Case {
  const name = "CONNECT decode (will, user, password), fresh decoder";
  return {
    name,
    packetsPerCall: 1,
    tern: () => ternDecodeAll(new Decoder({ role: "server" }), connectBytes),
    peer: () => countingParser().parser.parse(connectBytes),
    check: () => {
      const decoder = new Decoder({ role: "server" });
      decoder.push(connectBytes);
      const decoded = decoder.next();
      const { parser, state } = countingParser();
      parser.parse(connectBytes);
      if (decoded === undefined || state.last === undefined) throw new Error(`${name}: no packet`);
      sameBytes(`${name} (TernMQ re-encoded)`, encode(decoded, options), connectBytes);
      sameBytes(`${name} (mqtt-packet)`, mqttPacket.generate(state.last, options), connectBytes);
    },
  };
}

/**
 * Fan-out: one message to 100 QoS 1 subscribers, each with its own packet id. TernMQ encodes
 * the header once (preparePublish) and per subscriber only patches flags and packet id;
 * mqtt-packet generates the whole packet per subscriber (what its users do).
 */
function fanOutCase(): Case {
  const subscribers = 100;
  const name = `PUBLISH fan-out encode QoS 1, ${subscribers} subscribers`;
  const message = { type: "publish", topic, payload, retain: false } as const;
  const peerPacket = peerPublish(1);
  return {
    name,
    packetsPerCall: subscribers,
    tern: () => {
      const prepared = preparePublish(message, options);
      for (let id = 1; id <= subscribers; id++)
        do_not_optimize(prepared.encode(1, id, false, false));
    },
    peer: () => {
      for (let id = 1; id <= subscribers; id++) {
        peerPacket.messageId = id;
        do_not_optimize(mqttPacket.generate(peerPacket, options));
      }
    },
    check: () => {
      const prepared = preparePublish(message, options);
      for (const id of [1, 2, 65535]) {
        peerPacket.messageId = id;
        sameBytes(
          name,
          prepared.encode(1, id, false, false),
          mqttPacket.generate(peerPacket, options),
        );
      }
    },
  };
}

const cases: readonly Case[] = [
  encodeCase("PUBLISH encode QoS 0, 64 B", ternPublish(0), peerPublish(0)),
  encodeCase("PUBLISH encode QoS 1, 64 B", ternPublish(1), peerPublish(1)),
  decodeCase("PUBLISH decode QoS 0, 64 B, 1 packet", ternPublish(0), 1),
  decodeCase("PUBLISH decode QoS 1, 64 B, 1 packet", ternPublish(1), 1),
  decodeCase("PUBLISH decode QoS 0, 64 B, chunk of 100", ternPublish(0), 100),
  decodeCase("PUBLISH decode QoS 1, 64 B, chunk of 100", ternPublish(1), 100),
  fanOutCase(),
  encodeCase("SUBSCRIBE encode, 3 filters", ternSubscribe, peerSubscribe),
  decodeCase("SUBSCRIBE decode, 3 filters", ternSubscribe, 1),
  encodeCase("CONNECT encode (will, user, password)", ternConnect, peerConnect),
  connectDecodeCase(),
];

// ---------------------------------------------------------------------------------------------
// Run

/**
 * Each side is measured in `rounds` alternating rounds (TernMQ, mqtt-packet, TernMQ, ...) so a
 * burst of load from other processes hits both; the reported figure is the median of the
 * per-round medians. Short rounds keep the whole suite under a minute.
 */
const rounds = 3;
const measureOptions = { min_cpu_time: 250 * 1e6, min_samples: 20 } as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median ns per call of each side. */
async function measurePair(benchCase: Case): Promise<{ tern: number; peer: number }> {
  const tern: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < rounds; round++) {
    tern.push((await measure(benchCase.tern, measureOptions)).p50);
    peer.push((await measure(benchCase.peer, measureOptions)).p50);
  }
  return { tern: median(tern), peer: median(peer) };
}

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en");
}

/** Calls every function before any timing, so the first case does not pay for the JIT. */
function warmUp(): void {
  for (const benchCase of cases) {
    const calls = 20_000 / benchCase.packetsPerCall;
    for (let call = 0; call < calls; call++) {
      do_not_optimize(benchCase.tern());
      do_not_optimize(benchCase.peer());
    }
  }
}

export async function run(): Promise<void> {
  for (const benchCase of cases) benchCase.check();
  warmUp();
  console.log(
    "start-up check passed: TernMQ and mqtt-packet 9.0.2 " +
      `produce / accept identical bytes for all ${cases.length} cases (level ${level}, topic "${topic}")`,
  );
  console.log(
    `node ${process.version}; ops/s = calls per second, median of ${rounds} alternating ` +
      "rounds of mitata samples (each round's figure is its median); ratio = TernMQ / mqtt-packet\n",
  );

  const rows: string[][] = [["case", "TernMQ ops/s", "mqtt-packet ops/s", "ratio", "TernMQ pkt/s"]];
  for (const benchCase of cases) {
    const nanoseconds = await measurePair(benchCase);
    const ternRate = 1e9 / nanoseconds.tern;
    const peerRate = 1e9 / nanoseconds.peer;
    rows.push([
      benchCase.name,
      formatRate(ternRate),
      formatRate(peerRate),
      `${(ternRate / peerRate).toFixed(2)}x`,
      formatRate(ternRate * benchCase.packetsPerCall),
    ]);
  }
  const widths = (rows[0] as string[]).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] as string).length)),
  );
  for (const [index, row] of rows.entries()) {
    console.log(
      row
        .map((cell, column) =>
          column === 0
            ? cell.padEnd(widths[column] as number)
            : cell.padStart(widths[column] as number),
        )
        .join("  "),
    );
    if (index === 0) console.log(widths.map((width) => "-".repeat(width)).join("  "));
  }
}
