/**
 * Runs a commander `Command` over the arguments without letting it touch the process: help,
 * usage errors and validation errors become text to print and an exit code, so parsing is a
 * pure function that the unit tests call directly.
 */
import { type Command, CommanderError } from "commander";
import { EXIT_FAILURE, type ExitCode } from "../exit-codes.js";

/** Reports a usage error (one `error: ...` line on stderr, exit code 1); never returns. */
export type Fail = (message: string) => never;

/** What the command line asks for: run with typed options, or print something and exit. */
export type ParseResult<Options> =
  | { readonly action: "run"; readonly options: Options }
  | {
      readonly action: "exit";
      readonly exitCode: ExitCode;
      readonly stdout: string;
      readonly stderr: string;
    };

/**
 * Parses `args` (the words after the command name) with `command` and turns its option values
 * into `Options` with `resolve`, which calls `fail(message)` for a combination of flags that
 * commander cannot check alone (the message becomes one `error: ...` line on stderr).
 */
export function parseWith<Flags extends object, Options>(
  command: Command,
  args: readonly string[],
  resolve: (flags: Flags, fail: Fail) => Options,
): ParseResult<Options> {
  let stdout = "";
  let stderr = "";
  command.exitOverride().configureOutput({
    writeOut: (text) => {
      stdout += text;
    },
    writeErr: (text) => {
      stderr += text;
    },
  });
  const fail: Fail = (message) => command.error(`error: ${message}`);
  try {
    command.parse([...args], { from: "user" });
    return { action: "run", options: resolve(command.opts<Flags>(), fail) };
  } catch (error) {
    if (error instanceof CommanderError) {
      return { action: "exit", exitCode: error.exitCode === 0 ? 0 : EXIT_FAILURE, stdout, stderr };
    }
    throw error;
  }
}
