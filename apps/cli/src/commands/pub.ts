/**
 * `ternmq pub`: connect, publish the message(s), disconnect gracefully.
 *
 * Design: the payloads are an async sequence (one message, a file, stdin, or stdin's lines as
 * they arrive), published in order with at most {@link maxPending} publishes awaiting their
 * acknowledgement, so that `-l` on an endless pipe neither waits for one PUBACK per line nor
 * buffers without bound. The first failed publish stops the command (exit 1).
 */
import { readFile } from "node:fs/promises";
import type { MqttClient } from "@ternmq/client";
import { openClient } from "../connection.js";
import { EXIT_FAILURE, EXIT_OK, type ExitCode } from "../exit-codes.js";
import { describeFailure } from "../failure.js";
import { type CommandIo, createDebugLog, type DebugLog } from "../io.js";
import { readAll, splitLines } from "../lines.js";
import type { PayloadSource, PubOptions } from "../options/pub.js";

const maxPending = 64;

async function* single(payload: Uint8Array | string): AsyncGenerator<Uint8Array | string> {
  yield payload;
}

/**
 * The payloads to publish. A file or all of stdin is read before connecting (a missing file
 * fails without touching the broker); lines are read while connected.
 */
async function payloadsOf(
  source: PayloadSource,
  io: CommandIo,
): Promise<AsyncIterable<Uint8Array | string>> {
  switch (source.kind) {
    case "message":
      return single(source.text);
    case "null":
      return single(new Uint8Array(0));
    case "file":
      try {
        return single(await readFile(source.path));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`cannot read -f ${source.path}: ${reason}`);
      }
    case "stdin":
      return single(await readAll(io.stdin));
    case "lines":
      return splitLines(io.stdin);
  }
}

async function publishAll(
  client: MqttClient,
  options: PubOptions,
  payloads: AsyncIterable<Uint8Array | string>,
  debug: DebugLog,
): Promise<void> {
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const { topic, qos, retain } = options;
  for await (const payload of payloads) {
    if (failure !== undefined) break;
    const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
    const published: Promise<void> = client.publish(topic, payload, { qos, retain }).then(
      () => {
        pending.delete(published);
        debug(`published to ${topic} (QoS ${qos}, retain ${retain}, ${size} bytes)`);
      },
      (error: unknown) => {
        pending.delete(published);
        failure ??= { error };
      },
    );
    pending.add(published);
    if (pending.size >= maxPending) await Promise.race(pending);
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure.error;
}

/** Runs `ternmq pub`; resolves with the exit code (never rejects). */
export async function runPub(options: PubOptions, io: CommandIo): Promise<ExitCode> {
  const debug = createDebugLog(options.connection.debug, io, options.connection.clientId ?? "");
  let client: MqttClient | undefined;
  try {
    const payloads = await payloadsOf(options.payload, io);
    client = await openClient(options.connection, debug);
    await publishAll(client, options, payloads, debug);
    debug("disconnecting");
    await client.end();
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${describeFailure(error)}\n`);
    await client?.end({ force: true });
    return EXIT_FAILURE;
  }
}
