/**
 * MQTT.js clients for interop tests: connected with reconnects disabled, their incoming
 * messages recorded from before CONNECT (so messages a persistent session delivers right after
 * CONNACK are not missed), and all force-closed by `closeAll()` in `afterEach`.
 */
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from "mqtt";
import { withTimeout } from "./with-timeout.js";

export interface ReceivedMessage {
  topic: string;
  /** Payload decoded as UTF-8. */
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

export interface ConnectedClient {
  client: MqttClient;
  connack: IConnackPacket;
  /** Every PUBLISH received so far, in arrival order. */
  messages: ReceivedMessage[];
  /** Every error MQTT.js emitted (recorded so that a late socket error is not an uncaught one). */
  errors: Error[];
  /** Resolves with `messages` once at least `count` have arrived; fails readably after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
}

const defaultWaitMs = 3000;

/** Tracks the clients a test opens so that `afterEach` can close every one of them. */
export class MqttJsClientPool {
  readonly #clients = new Set<MqttClient>();

  /** Connects to 127.0.0.1:`port`; rejects with the CONNACK error or after `connectTimeout`. */
  async connect(port: number, options: IClientOptions = {}): Promise<ConnectedClient> {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...options,
    });
    this.#clients.add(client);
    const messages: ReceivedMessage[] = [];
    const errors: Error[] = [];
    client.on("error", (error) => errors.push(error));
    const waiters = new Set<() => void>();
    client.on("message", (topic, payload, packet) => {
      messages.push({
        topic,
        payload: payload.toString("utf8"),
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup,
      });
      for (const wake of waiters) wake();
    });
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once("connect", resolve);
      client.once("error", reject);
      client.once("close", () => reject(new Error("connection closed before CONNACK")));
    });
    const waitForMessages = (count: number, timeoutMs = defaultWaitMs) => {
      let wake: (() => void) | undefined;
      const arrived = new Promise<ReceivedMessage[]>((resolve) => {
        wake = () => {
          if (messages.length >= count) resolve(messages);
        };
        waiters.add(wake);
        wake();
      });
      return withTimeout(arrived, timeoutMs, () => {
        const seen = messages.map((message) => `${message.topic}=${message.payload}`);
        return `${count} message(s) on ${options.clientId ?? client.options.clientId}; got ${messages.length}: [${seen.slice(0, 20).join(", ")}]`;
      }).finally(() => {
        if (wake) waiters.delete(wake);
      });
    };
    return { client, connack, messages, errors, waitForMessages };
  }

  /** Force-closes every client opened through this pool (no DISCONNECT is awaited). */
  async closeAll(): Promise<void> {
    const clients = [...this.#clients];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
