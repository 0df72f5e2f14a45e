/**
 * The load side of the durable-persistence benchmark (durable.ts): `ternmq-broker` as a
 * child process, and raw TCP MQTT 3.1.1 clients whose per-message work is a few byte reads
 * and a write of a pre-encoded packet, so the load generator costs far less than the broker
 * it measures.
 *
 * Design: packets are encoded once with @ternmq/codec. A publisher keeps `window` QoS 1
 * PUBLISH packets unacknowledged, with packet ids 1..window: the PUBACK for id k frees id k,
 * and the same pre-encoded packet (same bytes, id k) goes out again. A subscriber answers
 * each PUBLISH with a PUBACK sliced from one buffer holding all 65,535 of them. Frames are
 * cut from the byte stream by `FrameReader` (fixed header + remaining length), not decoded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect as netConnect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { encode, type Packet } from "@ternmq/codec";

const PUBLISH = 3;
const CONNACK = 2;
const PUBACK = 4;
const SUBACK = 9;

/** Cuts MQTT frames out of a byte stream; calls `onFrame` with each frame's body range. */
export class FrameReader {
  #pending: Buffer | undefined;

  constructor(
    private readonly onFrame: (firstByte: number, data: Buffer, start: number, end: number) => void,
  ) {}

  push(chunk: Buffer): void {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    for (;;) {
      let index = offset + 1;
      let length = 0;
      let multiplier = 1;
      let complete = false;
      while (index < data.length) {
        const byte = data[index++] ?? 0;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || index + length > data.length) break;
      this.onFrame(data[offset] ?? 0, data, index, index + length);
      offset = index + length;
    }
    this.#pending = offset < data.length ? data.subarray(offset) : undefined;
  }
}

const appFolder = fileURLToPath(new URL("../../apps/broker/", import.meta.url));

/** Brokers still running; killed when this process exits, even on Ctrl-C or an error. */
const brokers = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of brokers) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130));
}

/** `ternmq-broker` from source on 127.0.0.1 with `args`; resolves once it listens. */
export async function startBrokerApp(
  args: readonly string[],
): Promise<{ port: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...["--import", "tsx", "--conditions=@ternmq/source", "src/main.ts"],
      ...["-p", "0", "--host", "127.0.0.1", "--sys-interval", "0", ...args],
    ],
    { cwd: appFolder, stdio: ["ignore", "pipe", "pipe"] },
  );
  brokers.add(child);
  child.once("exit", () => brokers.delete(child));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const port = await new Promise<number>((resolve, reject) => {
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.includes('"msg":"ternmq-broker started"')) {
          resolve((JSON.parse(line) as { port: number }).port);
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`broker exited (${code}): ${stderr}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
  return { port, stop };
}

/** Connects and sends CONNECT; resolves after the CONNACK with a reader for what follows. */
async function connectClient(
  port: number,
  connect: Packet,
  onFrame: (firstByte: number, data: Buffer, start: number, end: number) => void,
): Promise<Socket> {
  const socket = netConnect({ port, host: "127.0.0.1", noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let connected: (() => void) | undefined;
  const connack = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const reader = new FrameReader((firstByte, data, start, end) => {
    if (firstByte >> 4 === CONNACK) connected?.();
    else onFrame(firstByte, data, start, end);
  });
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  socket.write(encode(connect, { protocolVersion: 4 }));
  await connack;
  return socket;
}

/** Every PUBACK (ids 1..65535) in one buffer: PUBACK k is bytes [4k - 4, 4k). */
const PUBACKS = (() => {
  const buffer = Buffer.alloc(65_535 * 4);
  for (let id = 1; id <= 65_535; id += 1) {
    const offset = (id - 1) * 4;
    buffer[offset] = 0x40;
    buffer[offset + 1] = 2;
    buffer.writeUInt16BE(id, offset + 2);
  }
  return buffer;
})();

export interface Subscriber {
  /** PUBLISH packets received so far. */
  readonly received: () => number;
  /** Resolves once `count` have been received. */
  readonly receivedAll: (count: number) => Promise<void>;
  close(): void;
}

/** A persistent-session (clean session 0) subscriber of `topic` at QoS 1 that acks at once. */
export async function startSubscriber(
  port: number,
  clientId: string,
  topic: string,
): Promise<Subscriber> {
  let received = 0;
  let target = Number.POSITIVE_INFINITY;
  let reached: (() => void) | undefined;
  let subscribed: (() => void) | undefined;
  let socket: Socket | undefined;
  const onFrame = (firstByte: number, data: Buffer, start: number): void => {
    const type = firstByte >> 4;
    if (type === SUBACK) {
      subscribed?.();
      return;
    }
    if (type !== PUBLISH || ((firstByte >> 1) & 3) !== 1) return;
    const topicLength = data.readUInt16BE(start);
    const id = data.readUInt16BE(start + 2 + topicLength);
    socket?.write(PUBACKS.subarray((id - 1) * 4, id * 4));
    received += 1;
    if (received >= target) reached?.();
  };
  socket = await connectClient(
    port,
    { type: "connect", protocolVersion: 4, clientId, clean: false, keepalive: 0 },
    onFrame,
  );
  // Acknowledgements of one chunk leave in one write.
  const connected = socket;
  connected.prependListener("data", () => connected.cork());
  connected.on("data", () => process.nextTick(() => connected.uncork()));
  await new Promise<void>((resolve) => {
    subscribed = resolve;
    connected.write(
      encode(
        { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: topic, qos: 1 }] },
        { protocolVersion: 4 },
      ),
    );
  });
  return {
    received: () => received,
    receivedAll: (count) =>
      new Promise((resolve) => {
        target = count;
        reached = resolve;
        if (received >= count) resolve();
      }),
    close: () => connected.destroy(),
  };
}

/**
 * A clean-session publisher of `count` QoS 1 messages of `payloadSize` bytes to `topic`,
 * `window` unacknowledged at a time. Resolves once every message is acknowledged.
 */
export async function publishAll(
  port: number,
  clientId: string,
  topic: string,
  options: { count: number; window: number; payloadSize: number },
): Promise<void> {
  const payload = new Uint8Array(options.payloadSize).fill(0x61);
  const packets = Array.from({ length: options.window }, (_, index) =>
    encode(
      { type: "publish", topic, payload, qos: 1, retain: false, dup: false, packetId: index + 1 },
      { protocolVersion: 4 },
    ),
  );
  let sent = 0;
  let acknowledged = 0;
  let socket: Socket | undefined;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  socket = await connectClient(
    port,
    { type: "connect", protocolVersion: 4, clientId, clean: true, keepalive: 0 },
    (firstByte, data, start) => {
      if (firstByte >> 4 !== PUBACK) return;
      acknowledged += 1;
      if (sent < options.count) {
        sent += 1;
        socket?.write(packets[data.readUInt16BE(start) - 1] ?? new Uint8Array());
      }
      if (acknowledged === options.count) done?.();
    },
  );
  for (const packet of packets.slice(0, Math.min(options.window, options.count))) {
    sent += 1;
    socket.write(packet);
  }
  await finished;
  socket.destroy();
}
