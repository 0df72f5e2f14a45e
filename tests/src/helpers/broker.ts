/**
 * Starts a TernMQ broker on an OS-assigned TCP port for one test and stops it afterwards.
 *
 * Usage:
 *   let running: RunningBroker;
 *   beforeEach(async () => { running = await startBroker({ sysInterval: 0 }); });
 *   afterEach(() => running.close());
 */
import { Broker, type BrokerOptions } from "@ternmq/broker";

export interface RunningBroker {
  readonly broker: Broker;
  readonly port: number;
  /** `mqtt://127.0.0.1:PORT`, for MQTT.js. */
  readonly url: string;
  /** Closes the broker (and with it every connection and its listener). */
  close(): Promise<void>;
}

/** Starts a broker with `options` (logging silenced unless a logger is given) on 127.0.0.1:0. */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const broker = new Broker({ logger: { level: "silent" }, ...options });
  try {
    const { port } = await broker.listen({ port: 0, host: "127.0.0.1" });
    return { broker, port, url: `mqtt://127.0.0.1:${port}`, close: () => broker.close() };
  } catch (error) {
    await broker.close();
    throw error;
  }
}
