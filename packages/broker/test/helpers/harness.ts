/**
 * Starts brokers and raw clients for one test and closes all of them afterwards:
 * `const t = new Harness()` per file, `afterEach(() => t.cleanup())`.
 */
import type { ConnectPacket, ProtocolVersion } from "@ternmq/codec";
import { Broker, type BrokerOptions } from "../../src/index.js";
import { connectRaw, type RawClient } from "./raw-client.js";

export class Harness {
  private readonly brokers: Broker[] = [];
  private readonly clients: RawClient[] = [];

  /** A broker listening on an OS-assigned port of 127.0.0.1 ($SYS off, logs silent). */
  async broker(options: BrokerOptions = {}): Promise<{ broker: Broker; port: number }> {
    const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0, ...options });
    this.brokers.push(broker);
    const listener = await broker.listen({ port: 0, host: "127.0.0.1" });
    return { broker, port: listener.port };
  }

  /** A TCP connection with nothing sent yet. */
  async raw(port: number, protocolVersion: ProtocolVersion = 4): Promise<RawClient> {
    const client = await connectRaw(port, protocolVersion);
    this.clients.push(client);
    return client;
  }

  /** A connected client (CONNACK 0 checked). */
  async client(
    port: number,
    fields: Partial<ConnectPacket> & { clientId: string },
  ): Promise<RawClient> {
    const client = await this.raw(port, fields.protocolVersion ?? 4);
    const connack = await client.connect(fields);
    if (connack.reasonCode !== 0) throw new Error(`CONNACK ${connack.reasonCode}`);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.destroy();
    await Promise.all(this.brokers.splice(0).map((broker) => broker.close()));
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
