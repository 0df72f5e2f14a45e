/**
 * TLS, WebSocket and WSS listeners of @ternmq/broker against third-party clients: MQTT.js
 * (mqtts://, ws://, wss://) and Debian's mosquitto_pub / mosquitto_sub (--cafile).
 */
import { Broker } from "@ternmq/broker";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Certificates,
  makeCertificates,
  removeCertificates,
} from "../../../packages/broker/test/listeners/certificates.js";
import { MosquittoClients, messageFormat } from "../helpers/mosquitto-clients.js";
import { withTimeout } from "../helpers/with-timeout.js";

let certificates: Certificates;
const mosquitto = new MosquittoClients();
const clients: MqttClient[] = [];
let broker: Broker;

beforeAll(() => {
  certificates = makeCertificates();
}, 30_000);
afterAll(() => removeCertificates(certificates));
afterEach(async () => {
  await mosquitto.killAll();
  for (const client of clients.splice(0)) client.end(true);
  await broker.close();
});

function newBroker(): Broker {
  broker = new Broker({ logger: { level: "silent" }, sysInterval: 0 });
  return broker;
}

const tls = () => ({
  port: 0,
  host: "127.0.0.1",
  key: certificates.serverKey,
  cert: certificates.serverCert,
});

/** MQTT.js publishes to itself through `url` and receives its own message (bounded). */
async function mqttjsRoundTrip(url: string, options: IClientOptions = {}): Promise<string> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options });
  clients.push(client);
  client.on("error", () => {});
  const received = new Promise<string>((resolve) => {
    client.on("message", (_topic, payload) => resolve(payload.toString("utf8")));
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    }),
    3000,
    () => `no CONNACK from ${url}`,
  );
  await client.subscribeAsync("listeners/echo", { qos: 1 });
  await client.publishAsync("listeners/echo", "over the wire", { qos: 1 });
  return withTimeout(received, 3000, () => `no message back from ${url}`);
}

describe("MQTT.js over TLS, WebSocket and WSS", () => {
  it("mqtts:// with the test CA", async () => {
    const listener = await newBroker().listenTls(tls());
    const url = `mqtts://127.0.0.1:${listener.port}`;
    expect(await mqttjsRoundTrip(url, { ca: certificates.ca })).toBe("over the wire");
  });

  it("mqtts:// trusting another CA is refused", async () => {
    const listener = await newBroker().listenTls(tls());
    const url = `mqtts://127.0.0.1:${listener.port}`;
    await expect(mqttjsRoundTrip(url, { ca: certificates.otherCa })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("ws://127.0.0.1:PORT/mqtt", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    const url = `ws://127.0.0.1:${listener.port}/mqtt`;
    expect(await mqttjsRoundTrip(url)).toBe("over the wire");
  });

  it("wss://127.0.0.1:PORT/mqtt with the test CA", async () => {
    const listener = await newBroker().listenWebSocketSecure(tls());
    const url = `wss://127.0.0.1:${listener.port}/mqtt`;
    expect(await mqttjsRoundTrip(url, { ca: certificates.ca })).toBe("over the wire");
  });
});

describe("mosquitto_pub / mosquitto_sub over TLS", () => {
  it("a message published with --cafile reaches a subscriber using --cafile", async () => {
    const listener = await newBroker().listenTls(tls());
    const server = ["-h", "127.0.0.1", "-p", String(listener.port), "--cafile"];
    const subscriber = mosquitto.sub([
      ...server,
      certificates.caFile,
      "-d",
      "-F",
      messageFormat,
      "-t",
      "tls/topic",
      "-q",
      "1",
    ]);
    await subscriber.waitForLine(/received SUBACK/);
    const published = await mosquitto.pub([
      ...server,
      certificates.caFile,
      "-t",
      "tls/topic",
      "-q",
      "1",
      "-m",
      "secured",
    ]);
    expect(published.code).toBe(0);
    const [message] = await subscriber.waitForMessages(1);
    expect(message).toMatchObject({ topic: "tls/topic", payload: "secured", qos: 1 });
  });

  it("mosquitto_pub trusting another CA fails", async () => {
    const listener = await newBroker().listenTls(tls());
    // The helper rejects when the process exits non-zero; mosquitto_pub reports the TLS error.
    const published = mosquitto.pub([
      "-h",
      "127.0.0.1",
      "-p",
      String(listener.port),
      "--cafile",
      certificates.otherCaFile,
      "-t",
      "tls/topic",
      "-m",
      "x",
    ]);
    await expect(published).rejects.toThrow(/A TLS error occurred/);
  });
});
