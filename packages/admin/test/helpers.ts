/**
 * One broker (TCP and WebSocket listeners on 127.0.0.1, OS-assigned ports), its admin server
 * and MQTT.js clients per test; `cleanup()` in afterEach closes all of them.
 */

import { Broker, type BrokerOptions } from "@ternmq/broker";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { type AdminServer, type AdminServerOptions, startAdminServer } from "../src/index.js";

export interface Running {
  broker: Broker;
  mqttPort: number;
  wsPort: number;
  admin: AdminServer;
}

export class TestBed {
  private readonly brokers: Broker[] = [];
  private readonly admins: AdminServer[] = [];
  private readonly clients: MqttClient[] = [];

  async start(
    adminOptions: Partial<AdminServerOptions> = {},
    brokerOptions: BrokerOptions = {},
  ): Promise<Running> {
    const broker = this.broker(brokerOptions);
    const tcp = await broker.listen({ port: 0, host: "127.0.0.1" });
    const ws = await broker.listenWebSocket({ port: 0, host: "127.0.0.1" });
    const admin = await this.admin(broker, adminOptions);
    return { broker, mqttPort: tcp.port, wsPort: ws.port, admin };
  }

  /** A broker with no listener ($SYS off, logs silent). */
  broker(options: BrokerOptions = {}): Broker {
    const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0, ...options });
    this.brokers.push(broker);
    return broker;
  }

  async admin(broker: Broker, options: Partial<AdminServerOptions> = {}): Promise<AdminServer> {
    const admin = await startAdminServer(broker, { port: 0, ...options });
    this.admins.push(admin);
    return admin;
  }

  /** An MQTT.js client connected over TCP (resolves on CONNACK). */
  async client(port: number, options: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.endAsync(true)));
    await Promise.all(this.admins.splice(0).map((admin) => admin.close()));
    await Promise.all(this.brokers.splice(0).map((broker) => broker.close()));
  }
}

/** Resolves once `client` has received `count` messages; returns them in order. */
export function collect(
  client: MqttClient,
  count: number,
): Promise<{ topic: string; payload: string; qos: number }[]> {
  const received: { topic: string; payload: string; qos: number }[] = [];
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer, packet: { qos: number }): void => {
      received.push({ topic, payload: payload.toString("utf8"), qos: packet.qos });
      if (received.length === count) {
        client.off("message", onMessage);
        resolve(received);
      }
    };
    client.on("message", onMessage);
  });
}

/** Resolves when `broker` emits `client-disconnected` for `clientId`. */
export function disconnected(broker: Broker, clientId: string): Promise<string> {
  return new Promise((resolve) => {
    const onDisconnect = (client: { clientId: string }, reason: string): void => {
      if (client.clientId !== clientId) return;
      broker.off("client-disconnected", onDisconnect);
      resolve(reason);
    };
    broker.on("client-disconnected", onDisconnect);
  });
}

export async function getJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}
