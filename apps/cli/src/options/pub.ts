/**
 * `ternmq pub` flags (mosquitto_pub's) -> {@link PubOptions}.
 */
import { Command } from "commander";
import {
  addConnectionOptions,
  type ConnectionFlags,
  type ConnectionSettings,
  resolveConnection,
} from "./connection.js";
import { type Fail, type ParseResult, parseWith } from "./parse.js";
import { collect, parseQoS, type QoS } from "./values.js";

/** Where the message (or messages) to publish come from: exactly one of -m -f -l -s -n. */
export type PayloadSource =
  | { readonly kind: "message"; readonly text: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "lines" }
  | { readonly kind: "stdin" }
  | { readonly kind: "null" };

export interface PubOptions {
  readonly connection: ConnectionSettings;
  readonly topic: string;
  readonly payload: PayloadSource;
  readonly qos: QoS;
  readonly retain: boolean;
}

interface PubFlags extends ConnectionFlags {
  topic?: string[];
  message?: string;
  file?: string;
  stdinLine?: boolean;
  stdinFile?: boolean;
  nullMessage?: boolean;
  qos?: QoS;
  retain?: boolean;
}

const EXAMPLES = `
Exit codes: 0 published, 1 usage error or connection/protocol failure (one line on stderr).

Examples:
  ternmq pub -t sensors/kitchen -m 21.5
  ternmq pub -h broker.local -t config/lamp -m on -q 1 -r
  ternmq pub -L mqtt://alice:secret@127.0.0.1:1883/logs -l < app.log
  ternmq pub -t firmware/image -f image.bin -q 2
  ternmq pub -t config/lamp -r -n                       clear a retained message
  ternmq pub --cafile ca.crt -h broker.local -t a -m b     over TLS (port 8883)
`;

function createPubCommand(): Command {
  return addConnectionOptions(
    new Command("ternmq pub")
      .description("Publish one message, a file, or one message per line of stdin.")
      .option("-t, --topic <topic>", "topic to publish to", collect)
      .option("-m, --message <message>", "the message (UTF-8 text)")
      .option("-f, --file <file>", "send the contents of a file as the message")
      .option("-l, --stdin-line", "send each line of stdin as a message (empty lines too)")
      .option("-s, --stdin-file", "send all of stdin as one message")
      .option("-n, --null-message", "send an empty (zero length) message")
      .option("-q, --qos <qos>", "QoS 0, 1 or 2 (default: 0)", parseQoS)
      .option("-r, --retain", "ask the broker to retain the message"),
  )
    .addHelpText("after", EXAMPLES)
    .allowExcessArguments(false);
}

/** Parses the words after `ternmq pub`. */
export function parsePubArgs(args: readonly string[]): ParseResult<PubOptions> {
  return parseWith<PubFlags, PubOptions>(createPubCommand(), args, (flags, fail: Fail) => {
    const { settings, urlTopic } = resolveConnection(flags, fail);
    const topics = [...(urlTopic === undefined ? [] : [urlTopic]), ...(flags.topic ?? [])];
    const [topic] = topics;
    if (topics.length !== 1 || topic === undefined) {
      fail(topics.length === 0 ? "give a topic (-t or -L)." : "give exactly one topic.");
    }
    return {
      connection: settings,
      topic,
      payload: resolvePayload(flags, fail),
      qos: flags.qos ?? 0,
      retain: flags.retain === true,
    };
  });
}

function resolvePayload(flags: PubFlags, fail: Fail): PayloadSource {
  const sources: PayloadSource[] = [];
  if (flags.message !== undefined) sources.push({ kind: "message", text: flags.message });
  if (flags.file !== undefined) sources.push({ kind: "file", path: flags.file });
  if (flags.stdinLine === true) sources.push({ kind: "lines" });
  if (flags.stdinFile === true) sources.push({ kind: "stdin" });
  if (flags.nullMessage === true) sources.push({ kind: "null" });
  const [source] = sources;
  if (sources.length !== 1 || source === undefined) {
    fail("give exactly one of -m, -f, -l, -s and -n.");
  }
  return source;
}
