/**
 * `ternmq sub`: connect, subscribe to every `-t` filter in one SUBSCRIBE, print messages until
 * `-C` of them arrived (exit 0), `-W` seconds passed since CONNACK (exit 27), SIGINT/SIGTERM
 * (exit 0), or the connection failed (exit 1).
 *
 * Design: one `finish(code)` settles the run, whichever of those comes first; later ones are
 * ignored, and so are messages past the `-C` count. Cleanup (timer, signal handlers, a
 * graceful DISCONNECT) happens once, after it.
 */
import type { MqttClient } from "@ternmq/client";
import { openClient } from "../connection.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_TIMEOUT, type ExitCode } from "../exit-codes.js";
import { describeFailure } from "../failure.js";
import { type CommandIo, createDebugLog, type DebugLog } from "../io.js";
import type { SubOptions } from "../options/sub.js";
import { formatMessage } from "../output.js";

/** SUBACK return code of a refused filter [MQTT-3.9.3-2]. */
const subscriptionRefused = 0x80;
/** How long the closing DISCONNECT may wait for acknowledgements the client still owes. */
const endTimeoutMs = 2000;

/** Runs `ternmq sub`; resolves with the exit code (never rejects). */
export async function runSub(options: SubOptions, io: CommandIo): Promise<ExitCode> {
  const debug = createDebugLog(options.connection.debug, io, options.connection.clientId ?? "");
  let received = 0;
  let finish: (code: ExitCode, line?: string) => void = () => {};
  const finished = new Promise<{ code: ExitCode; line: string | undefined }>((resolve) => {
    let done = false;
    finish = (code, line) => {
      if (done) return;
      done = true;
      resolve({ code, line });
    };
  });
  const onMessage = (topic: string, payload: Uint8Array, message: { qos: number }) => {
    if (options.count !== undefined && received >= options.count) return;
    received++;
    debug(`received ${topic} (QoS ${message.qos}, ${payload.length} bytes)`);
    io.stdout.write(formatMessage(topic, payload, options.verbose));
    if (received === options.count) finish(EXIT_OK);
  };
  const onSignal = () => finish(EXIT_OK);
  let timer: NodeJS.Timeout | undefined;
  let client: MqttClient | undefined;
  try {
    client = await openClient(options.connection, debug, (newClient) => {
      newClient.on("message", onMessage);
    });
    client.on("error", (error) => finish(EXIT_FAILURE, describeFailure(error)));
    // `close` comes just before the `error` that explains it, if there is one.
    client.on("close", () =>
      queueMicrotask(() => finish(EXIT_FAILURE, "Connection lost: closed by the broker.")),
    );
    io.signals.once("SIGINT", onSignal);
    io.signals.once("SIGTERM", onSignal);
    if (options.timeoutSeconds !== undefined) {
      const seconds = options.timeoutSeconds;
      timer = setTimeout(() => {
        const of = options.count === undefined ? "" : ` (${received} of ${options.count} messages)`;
        finish(EXIT_TIMEOUT, `Timed out after ${seconds} s${of}.`);
      }, seconds * 1000);
    }
    await subscribe(client, options, io, debug, finish);
    const { code, line } = await finished;
    if (line !== undefined) io.stderr.write(`${line}\n`);
    if (code !== EXIT_FAILURE) {
      debug("disconnecting");
      await client.end({ timeoutMs: endTimeoutMs });
    }
    return code;
  } catch (error) {
    io.stderr.write(`${describeFailure(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    clearTimeout(timer);
    io.signals.off("SIGINT", onSignal);
    io.signals.off("SIGTERM", onSignal);
    await client?.end({ force: true });
  }
}

/** Subscribes; every filter refused -> exit 1, some refused -> a warning line per filter. */
async function subscribe(
  client: MqttClient,
  options: SubOptions,
  io: CommandIo,
  debug: DebugLog,
  finish: (code: ExitCode, line?: string) => void,
): Promise<void> {
  const results = await client.subscribe([...options.topics], { qos: options.qos });
  const refused = results.filter((result) => result.returnCode === subscriptionRefused);
  for (const result of results) {
    debug(
      result.returnCode === subscriptionRefused
        ? `subscription to ${result.topicFilter} refused`
        : `subscribed to ${result.topicFilter} (granted QoS ${result.returnCode})`,
    );
  }
  if (refused.length === results.length) {
    finish(EXIT_FAILURE, "All subscription requests were denied.");
  } else {
    for (const result of refused) {
      io.stderr.write(`Warning: the subscription to ${result.topicFilter} was denied.\n`);
    }
  }
}
