/**
 * `ternmq sub` flags (mosquitto_sub's) -> {@link SubOptions}.
 */
import { Command } from "commander";
import {
  addConnectionOptions,
  type ConnectionFlags,
  type ConnectionSettings,
  resolveConnection,
} from "./connection.js";
import { type Fail, type ParseResult, parseWith } from "./parse.js";
import { collect, parseCount, parseQoS, parseTimeoutSeconds, type QoS } from "./values.js";

export interface SubOptions {
  readonly connection: ConnectionSettings;
  /** Topic filters, in the order given. */
  readonly topics: readonly string[];
  /** Requested QoS of every subscription. */
  readonly qos: QoS;
  /** `-C`: exit 0 after this many messages. */
  readonly count: number | undefined;
  /** `-W`: exit 27 when `count` messages have not arrived this long after connecting. */
  readonly timeoutSeconds: number | undefined;
  /** `-v`: print "topic payload" instead of the payload. */
  readonly verbose: boolean;
}

interface SubFlags extends ConnectionFlags {
  topic?: string[];
  qos?: QoS;
  count?: number;
  timeout?: number;
  verbose?: boolean;
}

const EXAMPLES = `
Prints each message's payload on its own line on stdout (-v: "topic payload").
Exit codes: 0 after -C messages or on SIGINT/SIGTERM, 1 usage error or connection/protocol
failure (one line on stderr), 27 when -W expires first.

Examples:
  ternmq sub -t 'sensors/#' -v
  ternmq sub -t a -t b -q 1 -C 10 -W 30
  ternmq sub -L mqtt://alice:secret@127.0.0.1:1883/logs
  ternmq sub -c -i dashboard -q 1 -t 'alerts/#'      persistent session: missed QoS 1/2 too
`;

function createSubCommand(): Command {
  return addConnectionOptions(
    new Command("ternmq sub")
      .description("Subscribe to topic filters and print the messages that arrive.")
      .option("-t, --topic <filter>", "topic filter; repeat for several", collect)
      .option("-q, --qos <qos>", "requested QoS 0, 1 or 2 (default: 0)", parseQoS)
      .option("-C, --count <count>", "exit after receiving this many messages", parseCount)
      .option(
        "-W, --timeout <seconds>",
        "exit with code 27 if -C messages (or SIGINT) have not come this long after connecting",
        parseTimeoutSeconds,
      )
      .option("-v, --verbose", 'print "topic payload" lines'),
  )
    .addHelpText("after", EXAMPLES)
    .allowExcessArguments(false);
}

/** Parses the words after `ternmq sub`. */
export function parseSubArgs(args: readonly string[]): ParseResult<SubOptions> {
  return parseWith<SubFlags, SubOptions>(createSubCommand(), args, (flags, fail: Fail) => {
    const { settings, urlTopic } = resolveConnection(flags, fail);
    const topics = [...(urlTopic === undefined ? [] : [urlTopic]), ...(flags.topic ?? [])];
    if (topics.length === 0) fail("give at least one topic filter (-t or -L).");
    return {
      connection: settings,
      topics,
      qos: flags.qos ?? 0,
      count: flags.count,
      timeoutSeconds: flags.timeout,
      verbose: flags.verbose === true,
    };
  });
}
