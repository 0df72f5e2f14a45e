/**
 * Command-line parsing (commander): turns argv into flags, or into text to print and an exit
 * code (--help, --version, a bad flag). Never exits the process itself, so it is testable.
 * Flags carry no defaults here: a flag that is absent must not override the config file
 * (settings.ts applies the defaults last).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DURABILITY_LEVELS, type Durability, MAX_COMMIT_WINDOW_MS } from "./config.js";
import { addLimitOptions, type LimitFlags } from "./limit-flags.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";

export interface CliFlags extends LimitFlags {
  port?: number;
  host?: string;
  config?: string;
  dataDir?: string;
  memory?: boolean;
  durability?: Durability;
  commitWindow?: number;
  maxSessionAge?: number;
  logLevel?: LogLevel;
  sysInterval?: number;
  tlsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  wsPort?: number;
  wsPath?: string;
  wssPort?: number;
  passwordFile?: string;
  aclFile?: string;
  allowAnonymous?: boolean;
  watchFiles?: boolean;
  adminPort?: number;
  adminHost?: string;
  adminToken?: string;
  cluster?: string;
  nodeId?: string;
  clusterHeartbeat?: number;
  clusterNodeTtl?: number;
}

export type CliResult =
  | { readonly action: "run"; readonly flags: CliFlags }
  | {
      readonly action: "exit";
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
    };

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError("expected an integer from 0 to 65535.");
  }
  return port;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError("expected a number of seconds >= 0.");
  }
  return seconds;
}

function parseMilliseconds(value: string): number {
  const milliseconds = Number(value);
  if (!/^\d+$/.test(value) || milliseconds > MAX_COMMIT_WINDOW_MS) {
    throw new InvalidArgumentError(`expected an integer from 0 to ${MAX_COMMIT_WINDOW_MS}.`);
  }
  return milliseconds;
}

function parsePositiveMilliseconds(value: string): number {
  const milliseconds = Number(value);
  if (!/^\d+$/.test(value) || milliseconds < 1) {
    throw new InvalidArgumentError("expected an integer number of milliseconds >= 1.");
  }
  return milliseconds;
}

function parsePositiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1) {
    throw new InvalidArgumentError("expected an integer number of seconds >= 1.");
  }
  return seconds;
}

const HELP_FOOTER = `
Config file keys (YAML or JSON; flags override them):
  port, host, logLevel, maxQoS (0-2), retainAvailable, sysInterval, dataDir, memory,
  durability (fsync|relaxed), commitWindow (ms), maxSessionAge (seconds),
  limits: maxConnections, connectTimeoutMs, maxPacketSize, maxKeepalive, maxClientIdLength,
          maxTopicLevels, maxInflight, maxQueuedMessages, maxQueuedBytes,
          maxOutgoingBufferBytes, drainTimeoutMs, maxConnectionsPerAddress,
          connectionsPerSecondPerAddress, messagesPerSecondPerClient, bytesPerSecondPerClient,
          maxSubscriptionsPerClient, maxTopicLength
  watchFiles (default true),
  passwordFile, aclFile, allowAnonymous,
  admin: { port, host, token }  (the admin HTTP server; off without a port),
  listeners: a list of { type: tcp|tls|ws|wss, port, host, path, cert, key, ca,
             requestCert, minVersion (TLSv1.2|TLSv1.3), usernameFromCertificateCN }

Examples:
  ternmq-broker                          listen on 0.0.0.0:1883
  ternmq-broker -p 1884 --memory         another port, state in memory only (lost on exit)
  ternmq-broker --data-dir /var/lib/ternmq --durability relaxed
                                         survives a crash of the broker, not a power cut
  ternmq-broker -c broker.yaml --log-level debug
  ternmq-broker --tls-port 8883 --tls-cert server.crt --tls-key server.key --ws-port 8080
                                         TCP 1883, TLS 8883, WebSocket 8080 at /mqtt
  kill -HUP <pid>                        re-read the certificate, password and ACL files
  ternmq-broker --ws-port 8080 --admin-port 9100
                                         metrics, JSON API and dashboard at http://127.0.0.1:9100/
  ternmq-broker passwd users.txt alice   add or update a user (password prompted or on stdin)
  ternmq-broker --cluster redis://127.0.0.1:6379 --node-id n1 -p 1883
                                         one node of a cluster (start n2, n3 on other ports)
`;

function createProgram(version: string): Command {
  const program = new Command()
    .name("ternmq-broker")
    .description(
      "TernMQ MQTT 3.1.1 broker. Persistent sessions and retained messages are stored in " +
        "--data-dir (SQLite): a QoS 1/2 message is acknowledged only once it is on disk, so " +
        "it survives a crash or kill -9 of the broker. --memory keeps everything in memory.",
    )
    .version(version, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "print this help and exit")
    .option("-p, --port <port>", "TCP port; 0 picks a free one (default: 1883)", parsePort)
    .option("--host <host>", "address to listen on (default: 0.0.0.0)")
    .option("-c, --config <file>", "YAML or JSON config file (keys below)")
    .option("--data-dir <dir>", "folder of the durable store, ternmq.db (default: ./data)")
    .option("--memory", "keep all state in memory: nothing survives a restart")
    .addOption(
      new Option(
        "--durability <level>",
        "fsync: every commit on disk, survives a power cut; relaxed: survives a crash of " +
          "the broker, not of the machine (default: fsync)",
      ).choices(DURABILITY_LEVELS),
    )
    .option(
      "--commit-window <ms>",
      "wait up to this long to group more writes into one commit (default: 0)",
      parseMilliseconds,
    )
    .option(
      "--max-session-age <seconds>",
      "delete persistent sessions offline for longer than this (default: never)",
      parsePositiveSeconds,
    )
    .addOption(new Option("--log-level <level>", "log level (default: info)").choices(LOG_LEVELS))
    .option(
      "--sys-interval <seconds>",
      "seconds between $SYS updates; 0 disables $SYS (default: 10)",
      parseSeconds,
    )
    .option("--tls-port <port>", "TLS listener port (needs --tls-cert, --tls-key)", parsePort)
    .option("--tls-cert <file>", "PEM certificate (chain) of the TLS and WSS listeners")
    .option("--tls-key <file>", "PEM private key of the TLS and WSS listeners")
    .option("--tls-ca <file>", "PEM CA file: ask for client certificates and check them")
    .option("--ws-port <port>", "WebSocket listener port", parsePort)
    .option("--ws-path <path>", "WebSocket path of the ws and wss listeners (default: /mqtt)")
    .option("--wss-port <port>", "secure WebSocket listener port (uses --tls-cert)", parsePort)
    .option("--password-file <file>", "password file (see `ternmq-broker passwd`)")
    .option("--acl-file <file>", "ACL file: deny everything it does not grant")
    .option(
      "--allow-anonymous",
      "accept clients without a username (default: unless a password file)",
    )
    .option("--no-allow-anonymous", "refuse clients without a username")
    .option(
      "--watch-files",
      "reload the certificate, password and ACL files when they change (default: on)",
    )
    .option("--no-watch-files", "reload those files on SIGHUP only")
    .option(
      "--admin-port <port>",
      "port of the admin HTTP server: /metrics, /healthz, /readyz, JSON API, dashboard " +
        "(default: off)",
      parsePort,
    )
    .option(
      "--admin-host <host>",
      "address of the admin server (default: 127.0.0.1; any other needs --admin-token or " +
        "--password-file)",
    )
    .option(
      "--admin-token <token>",
      "Bearer token the admin server requires (default: env TERNMQ_ADMIN_TOKEN)",
    )
    .option(
      "--cluster <redis-url>",
      "run as one node of a cluster over Redis: sessions, retained messages and routes " +
        "shared (replaces --data-dir)",
    )
    .option("--node-id <id>", "this node's id in the cluster (default: <hostname>-<pid>)")
    .option(
      "--cluster-heartbeat <ms>",
      "milliseconds between two heartbeats of this node (default: 1000)",
      parsePositiveMilliseconds,
    )
    .option(
      "--cluster-node-ttl <ms>",
      "a node silent this long is dead: the others clean up after it (default: 3000)",
      parsePositiveMilliseconds,
    )
    .addHelpText("after", HELP_FOOTER)
    .allowExcessArguments(false);
  return addLimitOptions(program);
}

/**
 * Parses the arguments after the program name.
 *
 * Parameters: `args` (e.g. process.argv.slice(2)) and the version printed by --version.
 * Returns: the flags to run with, or what to print and the exit code.
 */
export function parseCommandLine(args: readonly string[], version: string): CliResult {
  let stdout = "";
  let stderr = "";
  const program = createProgram(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        stdout += text;
      },
      writeErr: (text) => {
        stderr += text;
      },
    });
  try {
    program.parse([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return { action: "exit", exitCode: error.exitCode, stdout, stderr };
    }
    throw error;
  }
  return { action: "run", flags: program.opts<CliFlags>() };
}
