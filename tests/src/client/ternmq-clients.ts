/**
 * @ternmq/client instances for end-to-end tests: their incoming messages recorded from before
 * CONNECT (so what a resumed session delivers right after CONNACK is not missed), every wait
 * bounded with a readable failure, and all force-ended by `endAll()` in `afterEach`.
 */
import { type ClientOptions, connect, type MqttClient, type ReceivedMessage } from "@ternmq/client";
import { withTimeout } from "../helpers/with-timeout.js";

const defaultWaitMs = 5000;
const utf8 = new TextDecoder();

/** A received message with its payload decoded as UTF-8, for `toEqual`. */
export interface TextMessage {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export interface RecordingClient {
  readonly client: MqttClient;
  /** CONNACK's session present flag. */
  readonly sessionPresent: boolean;
  /** Every message received so far, in arrival order. */
  readonly messages: ReceivedMessage[];
  /** Resolves with the first `count` messages as text; fails readably after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<TextMessage[]>;
}

export function asText(message: ReceivedMessage): TextMessage {
  const { topic, qos, retain } = message;
  return { topic, payload: utf8.decode(message.payload), qos, retain };
}

/** Tracks the clients a test opens so that `afterEach` can end every one of them. */
export class TernmqClientPool {
  readonly #clients = new Set<MqttClient>();

  /** Connects to `url` (reconnect off unless given); rejects with the client's error. */
  async connect(url: string, options: ClientOptions = {}): Promise<RecordingClient> {
    const client = connect(url, { reconnect: false, connectTimeoutMs: 4000, ...options });
    this.#clients.add(client);
    const messages: ReceivedMessage[] = [];
    const waiters = new Set<() => void>();
    client.on("message", (_topic, _payload, message) => {
      messages.push(message);
      for (const wake of waiters) wake();
    });
    client.on("error", () => {}); // surfaced through the rejected promises instead
    const connack = await withTimeout(
      new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
        client.once("connect", resolve);
        client.once("error", reject);
      }),
      defaultWaitMs,
      () => `CONNACK from ${url}`,
    );
    return {
      client,
      sessionPresent: connack.sessionPresent,
      messages,
      waitForMessages: (count, timeoutMs = defaultWaitMs) => {
        let wake: (() => void) | undefined;
        const enough = new Promise<TextMessage[]>((resolve) => {
          wake = () => {
            if (messages.length >= count) resolve(messages.slice(0, count).map(asText));
          };
          waiters.add(wake);
          wake();
        });
        return withTimeout(enough, timeoutMs, () => {
          return `${count} message(s); got ${JSON.stringify(messages.map(asText))}`;
        }).finally(() => {
          if (wake !== undefined) waiters.delete(wake);
        });
      },
    };
  }

  /** Force-ends every client (no DISCONNECT, pending operations rejected). */
  async endAll(): Promise<void> {
    const clients = [...this.#clients];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.end({ force: true })));
  }
}
