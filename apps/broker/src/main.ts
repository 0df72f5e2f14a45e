/**
 * `ternmq-broker`: wiring only. Flags -> config file -> settings -> Broker, with signals.
 */
import { Broker, createFileAuth } from "@ternmq/broker";
import packageJson from "../package.json" with { type: "json" };
import { parseCommandLine } from "./cli.js";
import { loadConfigFile } from "./config.js";
import { createLogger } from "./log.js";
import { runPasswd } from "./passwd.js";
import { runBroker } from "./run.js";
import { resolveSettings } from "./settings.js";

const args = process.argv.slice(2);
const command =
  args[0] === "passwd"
    ? ({ action: "passwd" } as const)
    : parseCommandLine(args, packageJson.version);
if (command.action === "passwd") {
  process.exitCode = await runPasswd(args.slice(1), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdin.isTTY === true,
  });
} else if (command.action === "exit") {
  process.stdout.write(command.stdout);
  process.stderr.write(command.stderr);
  process.exitCode = command.exitCode;
} else {
  try {
    const file =
      command.flags.config === undefined ? {} : await loadConfigFile(command.flags.config);
    const settings = resolveSettings(command.flags, file);
    const logger = createLogger(settings.logLevel);
    const { passwordFile, aclFile } = settings.auth;
    const auth =
      passwordFile === undefined && aclFile === undefined && settings.auth.allowAnonymous !== false
        ? undefined
        : await createFileAuth(settings.auth);
    await runBroker(settings, {
      createBroker: (options) =>
        new Broker({ ...options, logger, ...(auth === undefined ? {} : { hooks: auth.hooks }) }),
      ...(auth === undefined ? {} : { reloadAuth: () => auth.reload() }),
      logger,
      signals: process,
      exit: (code) => process.exit(code),
      version: packageJson.version,
    });
  } catch (error) {
    // A bad config file or a failed listen (address in use, ...): one line, no stack trace.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ternmq-broker: ${message}\n`);
    process.exit(1);
  }
}
