/**
 * Per-test resources: brokers on OS-assigned ports and clients, all closed in `cleanup()`
 * (`afterEach(() => t.cleanup())`), even when the test failed.
 */
import { Broker, type BrokerOptions } from "@ternmq/broker";
import { type ClientOptions, connect, connectAsync, type MqttClient } from "../../src/index.js";

export interface TestBroker {
  readonly broker: Broker;
  readonly port: number;
  readonly url: string;
}

export class Harness {
  private readonly brokers: Broker[] = [];
  private readonly clients: MqttClient[] = [];
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  async broker(options: BrokerOptions = {}): Promise<TestBroker> {
    const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0, ...options });
    this.brokers.push(broker);
    const listener = await broker.listen({ port: 0, host: "127.0.0.1" });
    return { broker, port: listener.port, url: `mqtt://127.0.0.1:${listener.port}` };
  }

  /** A client that the cleanup force-ends. */
  client(url: string, options: ClientOptions = {}): MqttClient {
    const client = connect(url, options);
    this.clients.push(client);
    return client;
  }

  async connected(url: string, options: ClientOptions = {}): Promise<MqttClient> {
    const pending = connectAsync(url, options);
    const client = await pending;
    this.clients.push(client);
    return client;
  }

  /** Runs `cleanup` at the end of the test (before the brokers close). */
  defer(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.end({ force: true })));
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    await Promise.all(this.brokers.splice(0).map((broker) => broker.close()));
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** The next `count` messages of `client` (whatever the topic). */
export function nextMessages(
  client: MqttClient,
  count: number,
): Promise<{ topic: string; payload: string; qos: number; retain: boolean; dup: boolean }[]> {
  return new Promise((resolve) => {
    const received: {
      topic: string;
      payload: string;
      qos: number;
      retain: boolean;
      dup: boolean;
    }[] = [];
    const listener = (
      _topic: string,
      _payload: Uint8Array,
      message: {
        topic: string;
        payload: Uint8Array;
        qos: number;
        retain: boolean;
        dup: boolean;
      },
    ) => {
      received.push({ ...message, payload: text(message.payload) });
      if (received.length === count) {
        client.off("message", listener);
        resolve(received);
      }
    };
    client.on("message", listener);
  });
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: unknown };
  }
  throw new Error("expected a rejection");
}
