/**
 * `connect()` and `connectAsync()`, parameterised by the entry's default transport (Node:
 * TCP/TLS/`ws`; browser: the global WebSocket), so that this module imports nothing of Node.
 */
import { MqttClient } from "./client.js";
import {
  type ClientOptions,
  type ClientTlsOptions,
  parseAddress,
  resolveOptions,
} from "./options.js";
import { realTimers } from "./timers.js";
import type { ServerAddress, TransportFactory } from "./transport.js";

/** The default transport of an entry point, given the TLS options. */
export type DefaultTransport = (tls: ClientTlsOptions | undefined) => TransportFactory;

/** Throws MQTT_ERR_CLIENT_INVALID_ARGUMENT for a scheme the entry cannot open. */
export type SchemeCheck = (address: ServerAddress) => void;

export function createClient(
  url: string,
  options: ClientOptions,
  defaultTransport: DefaultTransport,
  checkScheme: SchemeCheck,
  failFast: boolean,
): MqttClient {
  const address = parseAddress(url, options);
  if (options.transport === undefined) checkScheme(address);
  return new MqttClient({
    address,
    options: resolveOptions(url, options),
    timers: options.timers ?? realTimers,
    transport: options.transport ?? defaultTransport(options.tls),
    failFast,
  });
}

/** The `connect` / `connectAsync` pair of one entry point. */
export function connectFunctions(defaultTransport: DefaultTransport, checkScheme: SchemeCheck) {
  /**
   * Creates a client and starts connecting to `url` (`mqtt://`, `mqtts://`, `ws://`,
   * `wss://`). Returns at once; `connect` fires on CONNACK, and calls made before it wait.
   * Throws MQTT_ERR_CLIENT_INVALID_ARGUMENT for a bad URL or option.
   */
  function connect(url: string, options: ClientOptions = {}): MqttClient {
    return createClient(url, options, defaultTransport, checkScheme, false);
  }

  /**
   * Like `connect`, resolving once the server accepted the connection (CONNACK 0). The
   * first attempt's failure rejects (MQTT_ERR_CLIENT_CONNACK_REFUSED, _CONNECT_TIMEOUT,
   * _NETWORK, _PROTOCOL, _INVALID_ARGUMENT) and ends the client; once connected, the
   * `reconnect` option applies as usual.
   */
  async function connectAsync(url: string, options: ClientOptions = {}): Promise<MqttClient> {
    const client = createClient(url, options, defaultTransport, checkScheme, true);
    await client.waitForConnect();
    return client;
  }

  return { connect, connectAsync };
}
