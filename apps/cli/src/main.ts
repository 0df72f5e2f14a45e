/**
 * `ternmq pub | sub`: wiring only. argv -> typed options -> command, with the real process's
 * stdio and signals; the command's exit code becomes the process's.
 */
import packageJson from "../package.json" with { type: "json" };
import { runPub } from "./commands/pub.js";
import { runSub } from "./commands/sub.js";
import type { CommandIo } from "./io.js";
import { parseInvocation } from "./program.js";

const io: CommandIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
};

const invocation = parseInvocation(process.argv.slice(2), packageJson.version);
let exitCode: number;
if (invocation.command === "pub") {
  exitCode = await runPub(invocation.options, io);
} else if (invocation.command === "sub") {
  exitCode = await runSub(invocation.options, io);
} else {
  process.stdout.write(invocation.stdout);
  process.stderr.write(invocation.stderr);
  exitCode = invocation.exitCode;
}
// Exit explicitly, so that no leftover handle (stdin of `-l`) keeps the process alive, once
// everything written has been flushed (pipes may be asynchronous on some platforms).
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write("", () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(exitCode);
