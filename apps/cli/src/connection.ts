/**
 * Opens the client connection a command asked for: {@link ConnectionSettings} -> the URL and
 * options of @ternmq/client's `connect()` (reading the TLS files), then waits for CONNACK.
 *
 * Reconnecting is off: a command-line tool reports a lost connection and exits (exit code 1)
 * rather than hiding it.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { PeerCertificate } from "node:tls";
import {
  type ClientOptions,
  type ClientTlsOptions,
  connect,
  type MqttClient,
} from "@ternmq/client";
import type { DebugLog } from "./io.js";
import type { ConnectionSettings, TlsSettings } from "./options/connection.js";

/** The URL to connect to, e.g. `mqtt://127.0.0.1:1883` or `mqtts://[::1]:8883`. */
export function brokerUrl(settings: ConnectionSettings): string {
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  return `${settings.tls === undefined ? "mqtt" : "mqtts"}://${host}:${settings.port}`;
}

async function readTlsFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read ${flag} ${path}: ${reason}`);
  }
}

async function tlsOptions(tls: TlsSettings): Promise<ClientTlsOptions> {
  // `checkServerIdentity` is passed through to tls.connect (asked of @ternmq/client's typings).
  const options: ClientTlsOptions & {
    checkServerIdentity?: (host: string, certificate: PeerCertificate) => Error | undefined;
  } = {};
  if (tls.caFile !== undefined) options.ca = await readTlsFile("--cafile", tls.caFile);
  if (tls.certFile !== undefined) options.cert = await readTlsFile("--cert", tls.certFile);
  if (tls.keyFile !== undefined) options.key = await readTlsFile("--key", tls.keyFile);
  // mosquitto's --insecure: the chain is still verified, only the host name is not.
  if (tls.insecure) options.checkServerIdentity = () => undefined;
  return options;
}

/**
 * MQTT 3.1 servers reject an empty client id (it must be 1 to 23 characters), so a 3.1
 * connection without `-i` gets a random one, as mosquitto_pub/sub give theirs.
 */
function defaultClientId(settings: ConnectionSettings): string | undefined {
  if (settings.clientId !== undefined || settings.protocolLevel !== 3) return settings.clientId;
  return `ternmq-${randomBytes(8).toString("hex")}`;
}

/** The `connect()` options for `settings`. */
export async function clientOptions(settings: ConnectionSettings): Promise<ClientOptions> {
  const options: ClientOptions = {
    clean: settings.clean,
    keepalive: settings.keepalive,
    protocolVersion: settings.protocolLevel,
    reconnect: false,
  };
  const clientId = defaultClientId(settings);
  if (clientId !== undefined) options.clientId = clientId;
  if (settings.username !== undefined) options.username = settings.username;
  if (settings.password !== undefined) options.password = settings.password;
  if (settings.will !== undefined) options.will = { ...settings.will };
  if (settings.tls !== undefined) options.tls = await tlsOptions(settings.tls);
  return options;
}

/**
 * Connects and resolves once the broker accepted the connection (CONNACK 0). `beforeConnect`
 * runs synchronously on the new client, before any packet can arrive, so that a `message`
 * handler it adds also sees what a resumed session delivers right after CONNACK. Rejects with
 * the client's error (refused, timeout, network); the client is then closed.
 */
export async function openClient(
  settings: ConnectionSettings,
  debug: DebugLog,
  beforeConnect: (client: MqttClient) => void = () => {},
): Promise<MqttClient> {
  const url = brokerUrl(settings);
  const options = await clientOptions(settings);
  debug(
    `connecting to ${url} (MQTT ${settings.protocolLevel === 3 ? "3.1" : "3.1.1"}, ` +
      `clean session ${settings.clean}, keepalive ${settings.keepalive} s)`,
  );
  const client = connect(url, options);
  beforeConnect(client);
  try {
    const connack = await connackOf(client);
    debug(`connected (session present: ${connack.sessionPresent})`);
    return client;
  } catch (error) {
    await client.end({ force: true });
    throw error;
  }
}

/**
 * Resolves on `connect`; rejects with the `error` that explains a failed attempt. The client
 * emits `close` just before that `error`, so `close` alone rejects one microtask later.
 */
function connackOf(client: MqttClient): Promise<{ sessionPresent: boolean }> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      client.off("connect", onConnect);
      client.off("error", onError);
      client.off("close", onClose);
    };
    const onConnect = (connack: { sessionPresent: boolean }) => {
      settle();
      resolve(connack);
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onClose = () => {
      queueMicrotask(() => {
        settle();
        reject(new Error("the connection closed before CONNACK"));
      });
    };
    client.on("connect", onConnect);
    client.on("error", onError);
    client.on("close", onClose);
  });
}
