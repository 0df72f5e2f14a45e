/**
 * `ternmq-broker`: wiring only. Flags -> config file -> settings -> Broker, with signals.
 */
import { startAdminServer } from "@ternmq/admin";
import { Broker, createFileAuth } from "@ternmq/broker";
import { openRedisCluster } from "@ternmq/redis";
import { openSqliteStore } from "@ternmq/store-sqlite";
import packageJson from "../package.json" with { type: "json" };
import { parseCommandLine } from "./cli.js";
import { loadConfigFile } from "./config.js";
import { createLogger } from "./log.js";
import { runPasswd } from "./passwd.js";
import { errorLine, runBroker } from "./run.js";
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
    const settings = resolveSettings(command.flags, file, process.env);
    const logger = createLogger(settings.logLevel);
    const { passwordFile, aclFile } = settings.auth;
    const auth =
      passwordFile === undefined && aclFile === undefined && settings.auth.allowAnonymous !== false
        ? undefined
        : await createFileAuth(settings.auth);
    await runBroker(settings, {
      createBroker: (options, persistence, cluster) =>
        new Broker({
          ...options,
          logger,
          ...(persistence === undefined ? {} : { persistence }),
          ...(cluster === undefined ? {} : { cluster: cluster.bus }),
          ...(auth === undefined ? {} : { hooks: auth.hooks }),
        }),
      openStore: openSqliteStore,
      openCluster: async (cluster) => {
        const opened = await openRedisCluster({
          url: cluster.redis,
          nodeId: cluster.nodeId,
          logger,
          ...(cluster.heartbeatMs === undefined ? {} : { heartbeatMs: cluster.heartbeatMs }),
          ...(cluster.nodeTtlMs === undefined ? {} : { nodeTtlMs: cluster.nodeTtlMs }),
        });
        return {
          nodeId: cluster.nodeId,
          bus: opened.bus,
          sessions: opened.sessions,
          retained: opened.retained,
          close: () => opened.close(),
        };
      },
      // HTTP Basic on the admin server checks the password file's users, when there is one.
      startAdmin: (broker, admin) =>
        startAdminServer(broker, {
          ...admin,
          ...(auth === undefined || passwordFile === undefined
            ? {}
            : {
                authenticate: async (username, password) =>
                  (await auth.hooks.authenticate?.(
                    { clientId: "ternmq-admin", protocolVersion: 4 },
                    username,
                    new TextEncoder().encode(password),
                  )) === 0,
              }),
        }),
      ...(auth === undefined ? {} : { reloadAuth: () => auth.reload() }),
      logger,
      signals: process,
      exit: (code) => process.exit(code),
      version: packageJson.version,
    });
  } catch (error) {
    // A bad config file, an unusable data folder or a failed listen (address in use, ...):
    // one line naming the file and the cause, no stack trace.
    process.stderr.write(`ternmq-broker: ${errorLine(error)}\n`);
    process.exit(1);
  }
}
