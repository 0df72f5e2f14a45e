/**
 * Seeded mutation fuzzer for @ternmq/codec: `pnpm fuzz [seed] [count]` (in bench/).
 *
 * Design: a pool of valid packets of every type at every level is generated from a seeded PRNG
 * and encoded with the codec's own `encode` (each one must decode back to itself first). Then
 * `count` mutants (default 1,000,000) are made from the pool by bit flips, byte replacement,
 * truncation, insertion, deletion, remaining-length and string-length corruption and splices of
 * two packets, and each mutant goes through
 *   1. `decode()`, and
 *   2. a streaming `Decoder` fed the mutant in random chunks, then a valid packet.
 * A failure is: anything thrown that is not an MqttError (`MqttError.isInstance`); a decoder
 * that returns more packets than bytes were pushed (a hang, bounded by the number of `next()`
 * calls); a decoder that is not poisoned after its first error; a decoded packet that does not
 * re-encode, or re-encodes to bytes that decode to something else; `decode()` and the Decoder
 * disagreeing about the same bytes. Failures are printed with the seed, the mutant's index and
 * its hex, and the process exits with status 1.
 */

import {
  Decoder,
  decode,
  encode,
  MqttError,
  type Packet,
  type ProtocolVersion,
  type PubackPacket,
  type PubcompPacket,
  type PubrecPacket,
  type PubrelPacket,
  type QoS,
} from "@ternmq/codec";
import { concatBytes } from "@ternmq/testkit";

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32): tiny, fast, and the same sequence on every machine for a given seed.

class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 2^32). */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, bound). */
  below(bound: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * bound);
  }
  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }
  chance(probability: number): boolean {
    return this.u32() / 0x1_0000_0000 < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index++) out[index] = this.below(256);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Valid packets

type Sender = "client" | "server";
interface Sample {
  level: ProtocolVersion;
  sender: Sender;
  packet: Packet;
  bytes: Uint8Array;
}

const textPieces = ["a", "b", "/", "sensors", "é", "€", "𝄞", "x1", "-", "_", " ", "Z"];

function randomText(random: Random, maxPieces: number, minPieces = 0): string {
  let text = "";
  const pieces = random.between(minPieces, maxPieces);
  for (let index = 0; index < pieces; index++) text += random.pick(textPieces);
  return text;
}

function randomPayload(random: Random): Uint8Array {
  return random.bytes(random.chance(0.05) ? random.between(120, 400) : random.between(0, 64));
}

function userProperties(random: Random): [string, string][] {
  const pairs: [string, string][] = [];
  const count = random.between(1, 3);
  for (let index = 0; index < count; index++) {
    pairs.push([randomText(random, 3), randomText(random, 3)]);
  }
  return pairs;
}

/** A random subset of `candidates`, each included with probability 1/3. */
function someOf<T extends object>(random: Random, candidates: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidates)) {
    if (random.chance(1 / 3)) out[key] = value;
  }
  return out as Partial<T>;
}

/** 5.0 §3.1.2.11.10: Authentication Data only together with an Authentication Method. */
function withAuthenticationRule<
  T extends { authenticationMethod?: string; authenticationData?: Uint8Array },
>(properties: T): T {
  if (properties.authenticationMethod === undefined) delete properties.authenticationData;
  return properties;
}

function ackProperties(random: Random) {
  return someOf(random, {
    reasonString: randomText(random, 4),
    userProperties: userProperties(random),
  });
}

const reasonCodes = {
  puback: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrel: [0x00, 0x92],
  suback5: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback5: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  connack5: [0x00, 0x80, 0x81, 0x82, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8a, 0x95, 0x9c],
  disconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x8b, 0x8e, 0x93, 0x95, 0x9c, 0xa2],
  auth: [0x00, 0x18, 0x19],
} as const;

function randomQos(random: Random): QoS {
  return random.below(3) as QoS;
}

function packetId(random: Random): number {
  return random.between(1, 65535);
}

/** One valid packet of `type` at `level`, and who sends it. */
function randomPacket(random: Random, level: ProtocolVersion): [Packet, Sender] {
  const v5 = level === 5;
  const either: Sender = random.chance(0.5) ? "client" : "server";
  switch (random.below(15)) {
    case 0: {
      const hasUser = random.chance(0.5);
      const packet: Packet = {
        type: "connect",
        protocolVersion: level,
        clientId: randomText(random, 4, level === 3 ? 1 : 0),
        clean: random.chance(0.5),
        keepalive: random.below(65536),
      };
      if (hasUser) packet.username = randomText(random, 3);
      if ((hasUser || v5) && random.chance(0.5)) packet.password = random.bytes(random.below(8));
      if (random.chance(0.5)) {
        packet.will = {
          topic: randomText(random, 4, 1),
          payload: randomPayload(random),
          qos: randomQos(random),
          retain: random.chance(0.5),
          ...(v5
            ? {
                properties: someOf(random, {
                  willDelayInterval: random.u32(),
                  payloadFormatIndicator: random.below(2) as 0 | 1,
                  messageExpiryInterval: random.u32(),
                  contentType: randomText(random, 2),
                  responseTopic: randomText(random, 2, 1),
                  correlationData: random.bytes(random.below(6)),
                  userProperties: userProperties(random),
                }),
              }
            : {}),
        };
      }
      if (v5) {
        packet.properties = withAuthenticationRule(
          someOf(random, {
            sessionExpiryInterval: random.u32(),
            receiveMaximum: random.between(1, 65535),
            maximumPacketSize: random.between(1, 0xffff_ffff),
            topicAliasMaximum: random.below(65536),
            requestResponseInformation: random.chance(0.5),
            requestProblemInformation: random.chance(0.5),
            userProperties: userProperties(random),
            authenticationMethod: randomText(random, 2),
            authenticationData: random.bytes(random.below(6)),
          }),
        );
      }
      return [packet, "client"];
    }
    case 1:
      return [
        {
          type: "connack",
          sessionPresent: level > 3 && random.chance(0.5),
          reasonCode: v5 ? random.pick(reasonCodes.connack5) : random.below(6),
          ...(v5
            ? {
                properties: withAuthenticationRule(
                  someOf(random, {
                    sessionExpiryInterval: random.u32(),
                    receiveMaximum: random.between(1, 65535),
                    maximumQoS: random.below(2) as 0 | 1,
                    retainAvailable: random.chance(0.5),
                    maximumPacketSize: random.between(1, 0xffff_ffff),
                    assignedClientIdentifier: randomText(random, 3),
                    topicAliasMaximum: random.below(65536),
                    reasonString: randomText(random, 3),
                    userProperties: userProperties(random),
                    wildcardSubscriptionAvailable: random.chance(0.5),
                    subscriptionIdentifiersAvailable: random.chance(0.5),
                    sharedSubscriptionAvailable: random.chance(0.5),
                    serverKeepAlive: random.below(65536),
                    responseInformation: randomText(random, 3),
                    serverReference: randomText(random, 3),
                    authenticationMethod: randomText(random, 2),
                    authenticationData: random.bytes(random.below(6)),
                  }),
                ),
              }
            : {}),
        },
        "server",
      ];
    case 2:
    case 3: {
      const qos = randomQos(random);
      const packet: Packet = {
        type: "publish",
        topic: randomText(random, 6, 1),
        payload: randomPayload(random),
        qos,
        retain: random.chance(0.5),
        dup: qos > 0 && random.chance(0.3),
      };
      if (qos > 0) packet.packetId = packetId(random);
      if (v5) {
        packet.properties = someOf(random, {
          payloadFormatIndicator: random.below(2) as 0 | 1,
          messageExpiryInterval: random.u32(),
          topicAlias: random.between(1, 65535),
          responseTopic: randomText(random, 3, 1),
          correlationData: random.bytes(random.below(8)),
          userProperties: userProperties(random),
          subscriptionIdentifiers: [random.between(1, 268_435_455), random.between(1, 127)],
          contentType: randomText(random, 3),
        });
        // [MQTT-3.3.4-6] only a server sends subscription identifiers
        if (either === "client") delete packet.properties.subscriptionIdentifiers;
      }
      return [packet, either];
    }
    case 4:
    case 5:
    case 6:
    case 7: {
      const type = random.pick(["puback", "pubrec", "pubrel", "pubcomp"] as const);
      const codes =
        type === "puback" || type === "pubrec" ? reasonCodes.puback : reasonCodes.pubrel;
      const packet: PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket = {
        type,
        packetId: packetId(random),
      };
      if (v5 && random.chance(0.7)) packet.reasonCode = random.pick(codes);
      if (v5 && random.chance(0.5)) packet.properties = ackProperties(random);
      return [packet, either];
    }
    case 8: {
      const subscriptions = [];
      const count = random.between(1, 4);
      for (let index = 0; index < count; index++) {
        subscriptions.push({
          topicFilter: randomText(random, 4, 1) + random.pick(["", "/+", "/#"]),
          qos: randomQos(random),
          ...(v5
            ? {
                noLocal: random.chance(0.5),
                retainAsPublished: random.chance(0.5),
                retainHandling: random.below(3) as 0 | 1 | 2,
              }
            : {}),
        });
      }
      return [
        {
          type: "subscribe",
          packetId: packetId(random),
          subscriptions,
          ...(v5
            ? {
                properties: someOf(random, {
                  subscriptionIdentifiers: [random.between(1, 268_435_455)],
                  userProperties: userProperties(random),
                }),
              }
            : {}),
        },
        "client",
      ];
    }
    case 9: {
      const count = random.between(1, 5);
      const reasons: number[] = [];
      for (let index = 0; index < count; index++) {
        reasons.push(
          v5
            ? random.pick(reasonCodes.suback5)
            : random.pick(level === 4 ? [0, 1, 2, 0x80] : [0, 1, 2]),
        );
      }
      return [
        {
          type: "suback",
          packetId: packetId(random),
          reasonCodes: reasons,
          ...(v5 ? { properties: ackProperties(random) } : {}),
        },
        "server",
      ];
    }
    case 10: {
      const filters: string[] = [];
      const count = random.between(1, 4);
      for (let index = 0; index < count; index++) filters.push(randomText(random, 4, 1));
      return [
        {
          type: "unsubscribe",
          packetId: packetId(random),
          topicFilters: filters,
          ...(v5 ? { properties: someOf(random, { userProperties: userProperties(random) }) } : {}),
        },
        "client",
      ];
    }
    case 11: {
      const packet: Packet = { type: "unsuback", packetId: packetId(random) };
      if (v5) {
        const count = random.between(1, 4);
        const reasons: number[] = [];
        for (let index = 0; index < count; index++)
          reasons.push(random.pick(reasonCodes.unsuback5));
        packet.reasonCodes = reasons;
        packet.properties = ackProperties(random);
      }
      return [packet, "server"];
    }
    case 12:
      return random.chance(0.5)
        ? [{ type: "pingreq" }, "client"]
        : [{ type: "pingresp" }, "server"];
    case 13: {
      const packet: Packet = { type: "disconnect" };
      if (v5 && random.chance(0.7)) packet.reasonCode = random.pick(reasonCodes.disconnect);
      if (v5 && random.chance(0.5)) {
        packet.properties = someOf(random, {
          reasonString: randomText(random, 3),
          userProperties: userProperties(random),
          ...(either === "client"
            ? { sessionExpiryInterval: random.u32() }
            : { serverReference: randomText(random, 3) }),
        });
      }
      return [packet, v5 ? either : "client"];
    }
    default: {
      if (!v5) return [{ type: "pingreq" }, "client"];
      const packet: Packet = { type: "auth" };
      if (random.chance(0.8)) packet.reasonCode = random.pick(reasonCodes.auth);
      if (random.chance(0.7)) {
        packet.properties = withAuthenticationRule(
          someOf(random, {
            authenticationMethod: randomText(random, 3),
            authenticationData: random.bytes(random.below(8)),
            reasonString: randomText(random, 3),
            userProperties: userProperties(random),
          }),
        );
      }
      return [packet, either];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

const mutations = [
  "bit flip",
  "byte replacement",
  "truncation",
  "insertion",
  "deletion",
  "remaining length",
  "string length",
  "splice",
  "type byte",
] as const;
type Mutation = (typeof mutations)[number];

/** Bytes of a variable byte integer; `extraContinuation` makes it one byte too long. */
function varint(value: number, extraContinuation: boolean): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  if (extraContinuation) {
    out[out.length - 1] = (out[out.length - 1] as number) | 0x80;
    out.push(0);
  }
  return Uint8Array.from(out);
}

/** Length of the fixed header of a valid encoded packet. */
function fixedHeaderLength(bytes: Uint8Array): number {
  let index = 1;
  while (index < 5 && ((bytes[index] ?? 0) & 0x80) !== 0) index++;
  return index + 1;
}

function mutate(random: Random, base: Uint8Array, other: Uint8Array, kind: Mutation): Uint8Array {
  const length = base.length;
  switch (kind) {
    case "bit flip": {
      const out = new Uint8Array(base);
      const flips = random.between(1, 4);
      for (let index = 0; index < flips; index++) {
        const at = random.below(length);
        out[at] = (out[at] as number) ^ (1 << random.below(8));
      }
      return out;
    }
    case "byte replacement": {
      const out = new Uint8Array(base);
      const count = random.between(1, 3);
      for (let index = 0; index < count; index++) {
        out[random.below(length)] = random.pick([
          0x00,
          0xff,
          0x7f,
          0x80,
          0xc0,
          0xed,
          random.below(256),
        ]);
      }
      return out;
    }
    case "truncation":
      return new Uint8Array(base.subarray(0, random.below(length)));
    case "insertion": {
      const at = random.below(length + 1);
      return concatBytes([
        base.subarray(0, at),
        random.bytes(random.between(1, 8)),
        base.subarray(at),
      ]);
    }
    case "deletion": {
      const at = random.below(length);
      return concatBytes([base.subarray(0, at), base.subarray(at + random.between(1, 4))]);
    }
    case "remaining length": {
      const header = fixedHeaderLength(base);
      const body = base.subarray(header);
      const announced = random.pick([
        body.length + random.between(-3, 3),
        random.below(256),
        random.below(0x10000),
        268_435_455,
      ]);
      const lengthBytes = varint(Math.max(0, announced), random.chance(0.1));
      return concatBytes([base.subarray(0, 1), lengthBytes, body]);
    }
    case "string length": {
      const out = new Uint8Array(base);
      const header = fixedHeaderLength(base);
      if (length - header < 2) return out;
      const at = random.between(header, length - 2);
      const value = random.pick([0, 1, 0xffff, random.below(0x10000), random.below(16)]);
      out[at] = value >> 8;
      out[at + 1] = value & 0xff;
      return out;
    }
    case "splice":
      return concatBytes([
        base.subarray(0, random.below(length + 1)),
        other.subarray(random.below(other.length + 1)),
      ]);
    case "type byte": {
      const out = new Uint8Array(base);
      out[0] = random.below(256);
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Structural equality of decoded packets (byte arrays by content, keys by presence). */
function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (ArrayBuffer.isView(left) && ArrayBuffer.isView(right)) {
    const a = left as Uint8Array;
    const b = right as Uint8Array;
    if (a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
    return true;
  }
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return false;
  }
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) =>
    sameValue((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

const openingConnect: Record<ProtocolVersion, Uint8Array> = {
  3: Uint8Array.from([
    0x10, 0x0f, 0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 3, 2, 0, 60, 0, 1, 0x63,
  ]),
  4: Uint8Array.from([0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x63]),
  5: Uint8Array.from([0x10, 0x0e, 0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 2, 0, 60, 0, 0, 1, 0x63]),
};
const followUp: Record<"server" | "client", Uint8Array> = {
  server: Uint8Array.from([0xc0, 0x00]), // PINGREQ, for a server-role decoder
  client: Uint8Array.from([0xd0, 0x00]), // PINGRESP, for a client-role decoder
};

class Failures {
  readonly list: string[] = [];
  count = 0;
  add(kind: string, index: number, sample: Sample, mutant: Uint8Array, detail: unknown): void {
    this.count++;
    if (this.list.length < 25) {
      const text = detail instanceof Error ? `${detail.name}: ${detail.message}` : String(detail);
      this.list.push(
        `#${index} ${kind} (level ${sample.level}, from ${sample.sender}, ${sample.packet.type}): ` +
          `${text}\n    bytes: ${toHex(mutant.subarray(0, 96))}${mutant.length > 96 ? " …" : ""}`,
      );
    }
  }
}

type Outcome = { packet: Packet } | { error: MqttError } | { foreign: unknown };

function attempt(action: () => Packet): Outcome {
  try {
    return { packet: action() };
  } catch (error) {
    return MqttError.isInstance(error) ? { error } : { foreign: error };
  }
}

/**
 * Re-encodes a decoded packet, decodes that and encodes again: both encodings must succeed and
 * be the same bytes. (Object equality would be too strict: a long-form ack with reason code
 * 0x00 decodes with `reasonCode: 0`, which the encoder writes in the short form, which decodes
 * without it. The bytes reach a fixpoint after one step.)
 */
function roundTripProblem(packet: Packet, level: ProtocolVersion, role: "server" | "client") {
  const encodeLevel = packet.type === "connect" ? packet.protocolVersion : level;
  let bytes: Uint8Array;
  try {
    bytes = encode(packet, { protocolVersion: encodeLevel });
  } catch (error) {
    return `decoded packet does not re-encode: ${String(error)}`;
  }
  const again = attempt(() => decode(bytes, { protocolVersion: encodeLevel, role }));
  if (!("packet" in again)) return `re-encoded bytes do not decode: ${toHex(bytes)}`;
  let bytesAgain: Uint8Array;
  try {
    bytesAgain = encode(again.packet, { protocolVersion: encodeLevel });
  } catch (error) {
    return `re-decoded packet does not re-encode: ${String(error)}`;
  }
  if (!sameValue(bytesAgain, bytes)) {
    return `encodings differ: ${toHex(bytes)} then ${toHex(bytesAgain)}`;
  }
  return undefined;
}

interface StreamResult {
  packets: Packet[];
  error?: MqttError;
  problem?: string;
}

/** Feeds `bytes` in random chunks to a ready decoder; bounded `next()` calls. */
function stream(random: Random, decoder: Decoder, bytes: Uint8Array): StreamResult {
  const result: StreamResult = { packets: [] };
  let pushed = 0;
  let offset = 0;
  while (offset < bytes.length) {
    const size = random.chance(0.3) ? 1 : random.between(1, bytes.length - offset);
    decoder.push(bytes.subarray(offset, offset + size));
    offset += size;
    pushed += size;
    // Every packet is at least 2 bytes, so more packets than pushed bytes means a loop.
    for (let calls = 0; ; calls++) {
      if (calls > pushed) {
        result.problem = "hang: next() keeps returning packets";
        return result;
      }
      let packet: Packet | undefined;
      try {
        packet = decoder.next();
      } catch (error) {
        if (!MqttError.isInstance(error)) {
          result.problem = `non-MqttError from next(): ${String(error)}`;
          return result;
        }
        result.error = error;
        return result;
      }
      if (packet === undefined) break;
      result.packets.push(packet);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Run

const seed = Number.parseInt(process.argv[2] ?? "20261125", 10) >>> 0;
const total = Number.parseInt(process.argv[3] ?? "1000000", 10);
const random = new Random(seed);
const failures = new Failures();
const levels: readonly ProtocolVersion[] = [3, 4, 5];

const pool: Sample[] = [];
for (let index = 0; pool.length < 3000; index++) {
  const level = levels[index % 3] as ProtocolVersion;
  const [packet, sender] = randomPacket(random, level);
  const role = sender === "client" ? "server" : "client";
  const sample: Sample = {
    level,
    sender,
    packet,
    bytes: encode(packet, { protocolVersion: level }),
  };
  const decoded = attempt(() => decode(sample.bytes, { protocolVersion: level, role }));
  if (!("packet" in decoded)) {
    failures.add(
      "valid packet rejected",
      -1,
      sample,
      sample.bytes,
      "error" in decoded ? decoded.error.code : decoded.foreign,
    );
    continue;
  }
  const problem = roundTripProblem(decoded.packet, level, role);
  if (problem !== undefined)
    failures.add("valid packet round trip", -1, sample, sample.bytes, problem);
  pool.push(sample);
}

const decodeCodes = new Map<string, number>();
const streamCodes = new Map<string, number>();
const mutationCounts = new Map<Mutation, number>();
let accepted = 0;

function countCode(counts: Map<string, number>, code: string): void {
  counts.set(code, (counts.get(code) ?? 0) + 1);
}

/** 1. `decode()`: only MqttErrors, and an accepted packet round-trips. */
function checkDecode(index: number, sample: Sample, mutant: Uint8Array): Outcome {
  const role = receiverOf(sample);
  const whole = attempt(() => decode(mutant, { protocolVersion: sample.level, role }));
  if ("foreign" in whole) {
    failures.add("decode threw a non-MqttError", index, sample, mutant, whole.foreign);
  } else if ("error" in whole) {
    countCode(decodeCodes, whole.error.code);
  } else {
    accepted++;
    const problem = roundTripProblem(whole.packet, sample.level, role);
    if (problem !== undefined) failures.add("round trip", index, sample, mutant, problem);
  }
  return whole;
}

/**
 * 2. A streaming Decoder (past an opening CONNECT when it is a server-role decoder), fed in
 * random chunks: only MqttErrors, no hang, poisoned after an error, packets round-trip.
 */
function checkStream(
  index: number,
  sample: Sample,
  mutant: Uint8Array,
  decoder: Decoder,
): StreamResult | undefined {
  const role = receiverOf(sample);
  if (role === "server" && sample.packet.type !== "connect") {
    decoder.push(openingConnect[sample.level]);
    decoder.next();
  }
  const fed = stream(random, decoder, mutant);
  if (fed.problem !== undefined) {
    failures.add(fed.problem, index, sample, mutant, "");
    return undefined;
  }
  if (fed.error !== undefined) {
    countCode(streamCodes, fed.error.code);
    // Poisoned: the same error again, even after a valid packet.
    decoder.push(followUp[role]);
    const after = attempt(() => decoder.next() as Packet);
    if (!("error" in after) || after.error !== fed.error) {
      const detail = JSON.stringify(after);
      failures.add("decoder not poisoned after an error", index, sample, mutant, detail);
    }
  }
  for (const packet of fed.packets) {
    const problem = roundTripProblem(packet, decoder.protocolVersion ?? sample.level, role);
    if (problem !== undefined) failures.add("stream round trip", index, sample, mutant, problem);
  }
  return fed;
}

/**
 * 3. `decode()` and the Decoder agree about one packet's bytes. Only checked when the type byte
 * kept the sample's type (a changed type can make a server-role decoder see a second CONNECT,
 * or none, which decode() cannot know about) and without a size limit (decode() has none).
 */
function checkAgreement(
  index: number,
  sample: Sample,
  mutant: Uint8Array,
  whole: Outcome,
  fed: StreamResult,
  decoder: Decoder,
): void {
  if ("packet" in whole) {
    const agrees =
      fed.error === undefined &&
      fed.packets.length === 1 &&
      sameValue(fed.packets[0], whole.packet) &&
      decoder.bufferedBytes === 0;
    if (!agrees) {
      const detail = fed.error?.code ?? `${fed.packets.length} packets`;
      failures.add("decode() accepted what the Decoder did not", index, sample, mutant, detail);
    }
  } else if ("error" in whole) {
    // The Decoder made exactly one packet of all the bytes that decode() refused.
    const onePacket =
      fed.error === undefined && fed.packets.length === 1 && decoder.bufferedBytes === 0;
    if (onePacket) {
      const detail = whole.error.code;
      failures.add("Decoder accepted what decode() refused", index, sample, mutant, detail);
    }
  }
}

function receiverOf(sample: Sample): "server" | "client" {
  return sample.sender === "client" ? "server" : "client";
}

const started = process.hrtime.bigint();
for (let index = 0; index < total; index++) {
  const sample = random.pick(pool);
  const kind = random.pick(mutations);
  mutationCounts.set(kind, (mutationCounts.get(kind) ?? 0) + 1);
  const mutant = mutate(random, sample.bytes, random.pick(pool).bytes, kind);
  const whole = checkDecode(index, sample, mutant);
  if ("foreign" in whole) continue;
  // One decoder in eight has a small maxPacketSize (above the opening CONNECT's 17 bytes).
  const limit = random.chance(0.125) ? random.between(20, 300) : undefined;
  const role = receiverOf(sample);
  const sizeOption = limit === undefined ? {} : { maxPacketSize: limit };
  const decoder =
    role === "client"
      ? new Decoder({ role, protocolVersion: sample.level, ...sizeOption })
      : new Decoder({ role, ...sizeOption });
  const fed = checkStream(index, sample, mutant, decoder);
  const sameType = (mutant[0] ?? 0) >> 4 === (sample.bytes[0] ?? 0) >> 4;
  if (fed !== undefined && sameType && limit === undefined) {
    checkAgreement(index, sample, mutant, whole, fed, decoder);
  }
}

const seconds = Number(process.hrtime.bigint() - started) / 1e9;

function printCounts(title: string, counts: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [code, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${code.padEnd(44)} ${String(count).padStart(9)}`);
  }
}

console.log(
  `codec fuzz: seed ${seed}, ${total.toLocaleString("en")} mutants from ${pool.length} valid packets`,
);
console.log(
  `  ${seconds.toFixed(1)} s, ${Math.round(total / seconds).toLocaleString("en")} mutants/s ` +
    `(each through decode() and a streaming Decoder)`,
);
console.log(`  accepted by decode() as a valid packet: ${accepted.toLocaleString("en")}`);
printCounts("mutations", mutationCounts);
printCounts("decode() error codes", decodeCodes);
printCounts("Decoder error codes", streamCodes);
if (failures.count > 0) {
  console.log(`\n${failures.count} FAILURES (seed ${seed}; first ${failures.list.length}):`);
  for (const line of failures.list) console.log(`  ${line}`);
  process.exit(1);
}
console.log(`\nno failures (seed ${seed})`);
