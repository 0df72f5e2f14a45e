import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectAsync } from "../src/index.js";
import { type Certificate, makeCertificate } from "./helpers/certificate.js";
import { Harness, nextMessages, rejection } from "./helpers/harness.js";

const t = new Harness();
let certificate: Certificate;
beforeAll(() => {
  certificate = makeCertificate();
});
afterAll(() => certificate.remove());
afterEach(() => t.cleanup());

describe("TLS transports", () => {
  it("mqtts:// with the server's CA publishes and subscribes", async () => {
    const { broker } = await t.broker();
    const { key, cert } = certificate;
    const listener = await broker.listenTls({ port: 0, host: "127.0.0.1", key, cert });
    const client = await t.connected(`mqtts://127.0.0.1:${listener.port}`, { tls: { ca: cert } });
    await client.subscribe("tls/#", { qos: 1 });
    const received = nextMessages(client, 1);
    await client.publish("tls/a", "secret", { qos: 2 });
    expect((await received)[0]?.payload).toBe("secret");
  });

  it("wss:// with the server's CA publishes and subscribes", async () => {
    const { broker } = await t.broker();
    const { key, cert } = certificate;
    const listener = await broker.listenWebSocketSecure({ port: 0, host: "127.0.0.1", key, cert });
    const client = await t.connected(`wss://127.0.0.1:${listener.port}/mqtt`, {
      tls: { ca: cert },
    });
    await client.subscribe("wss/#", { qos: 1 });
    const received = nextMessages(client, 1);
    await client.publish("wss/a", "secret", { qos: 1 });
    expect((await received)[0]?.payload).toBe("secret");
  });

  it("an untrusted certificate fails the first attempt with MQTT_ERR_CLIENT_NETWORK", async () => {
    const { broker } = await t.broker();
    const { key, cert } = certificate;
    const listener = await broker.listenTls({ port: 0, host: "127.0.0.1", key, cert });
    const error = await rejection(connectAsync(`mqtts://127.0.0.1:${listener.port}`));
    expect(error.code).toBe("MQTT_ERR_CLIENT_NETWORK");
  });
});
