/**
 * Command-line entry of the examples:
 *
 *   pnpm --filter @ternmq/pubsubclient example <name> [--host H] [--port P] [--devices N] [--id ID]
 *
 * where <name> is basic, reconnect-nonblocking, device or simulator; the broker defaults to
 * 127.0.0.1:1883. The sketch's Serial output goes to stdout. Ctrl-C (SIGINT) or SIGTERM
 * ends it, after the sketch's goodbye where it has one (the device sets its status "OFF").
 */
import { parseArgs } from "node:util";
import { delay, runSketch } from "@ternmq/pubsubclient";
import { createBasicSketch } from "./basic.js";
import { createDeviceSketch } from "./device.js";
import type { ExampleOptions, ExampleSketch } from "./example.js";
import { createReconnectNonblockingSketch } from "./reconnect-nonblocking.js";
import { createSimulatorSketch } from "./simulator.js";

const usage =
  "usage: example <basic | reconnect-nonblocking | device | simulator> " +
  "[--host H] [--port P] [--devices N] [--id ID]";

/** Time a goodbye (PUBLISH + DISCONNECT) gets to leave the socket before the process exits. */
const goodbyeFlushMs = 200;

interface CommandLine extends ExampleOptions {
  readonly devices: number;
  readonly id: string;
}

const examples: Record<string, (options: CommandLine) => ExampleSketch> = {
  basic: (options) => createBasicSketch(options),
  "reconnect-nonblocking": (options) => createReconnectNonblockingSketch(options),
  device: (options) => createDeviceSketch(options),
  simulator: (options) => createSimulatorSketch(options),
};

function parseCommandLine(argv: readonly string[]): { name: string; options: CommandLine } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "1883" },
      devices: { type: "string", default: "10" },
      id: { type: "string", default: "device1" },
    },
  });
  // pnpm passes a literal "--" through when the user types one before the flags.
  const [name] = positionals.filter((positional) => positional !== "--");
  const port = Number(values.port);
  const devices = Number(values.devices);
  if (name === undefined || !(name in examples)) throw new Error(usage);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad --port: ${usage}`);
  if (!Number.isInteger(devices) || devices < 1) throw new Error(`bad --devices: ${usage}`);
  return {
    name,
    options: {
      host: values.host,
      port,
      devices,
      id: values.id,
      writeLine: (line) => console.log(line),
    },
  };
}

function main(): void {
  let commandLine: ReturnType<typeof parseCommandLine>;
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const create = examples[commandLine.name];
  if (create === undefined) return;
  const sketch = create(commandLine.options);
  const handle = runSketch(sketch);
  const stopOnSignal = async () => {
    handle.stop();
    sketch.shutdown?.();
    await delay(goodbyeFlushMs);
    process.exit(0);
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  handle.done.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

main();
