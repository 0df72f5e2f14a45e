/**
 * `ternmq <command> [flags]`: picks the command from the first word and parses the rest. Never
 * touches the process (main.ts does), so the whole command line is unit-testable.
 */
import { EXIT_FAILURE, type ExitCode } from "./exit-codes.js";
import type { ParseResult } from "./options/parse.js";
import { type PubOptions, parsePubArgs } from "./options/pub.js";
import { parseSubArgs, type SubOptions } from "./options/sub.js";

export type Invocation =
  | { readonly command: "pub"; readonly options: PubOptions }
  | { readonly command: "sub"; readonly options: SubOptions }
  | {
      readonly command: "exit";
      readonly exitCode: ExitCode;
      readonly stdout: string;
      readonly stderr: string;
    };

const usage = `Usage: ternmq <command> [flags]

MQTT 3.1.1 command-line client (flags as in mosquitto_pub / mosquitto_sub).

Commands:
  pub    publish a message, a file, or each line of stdin
  sub    subscribe and print the messages that arrive

Run \`ternmq pub --help\` or \`ternmq sub --help\` for the flags.
`;

function exitWith({ exitCode, stdout, stderr }: Extract<ParseResult<unknown>, { action: "exit" }>) {
  return { command: "exit", exitCode, stdout, stderr } as const;
}

/**
 * Parses the words after the program name.
 *
 * Parameters: `args` (process.argv.slice(2)) and the version that `--version` prints.
 * Returns: the command to run with its typed options, or what to print and the exit code.
 */
export function parseInvocation(args: readonly string[], version: string): Invocation {
  const [command, ...rest] = args;
  switch (command) {
    case "pub": {
      const result = parsePubArgs(rest);
      return result.action === "run"
        ? { command: "pub", options: result.options }
        : exitWith(result);
    }
    case "sub": {
      const result = parseSubArgs(rest);
      return result.action === "run"
        ? { command: "sub", options: result.options }
        : exitWith(result);
    }
    case "--version":
      return { command: "exit", exitCode: 0, stdout: `${version}\n`, stderr: "" };
    case "--help":
    case "help":
      return { command: "exit", exitCode: 0, stdout: usage, stderr: "" };
    default:
      return {
        command: "exit",
        exitCode: EXIT_FAILURE,
        stdout: "",
        stderr:
          command === undefined
            ? usage
            : `error: unknown command '${command}' (expected pub or sub; see ternmq --help)\n`,
      };
  }
}
