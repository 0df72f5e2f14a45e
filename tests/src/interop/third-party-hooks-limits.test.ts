/**
 * What third-party clients see of the broker's hooks and limits: CONNACK refusals (bad
 * credentials, not authorized, server unavailable), refused and downgraded subscriptions, and
 * silently dropped publishes, through MQTT.js and mosquitto_pub / mosquitto_sub.
 */
import type { QoS } from "@ternmq/codec";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MosquittoClients } from "../helpers/mosquitto-clients.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep } from "../helpers/with-timeout.js";

let running: RunningBroker | undefined;
const clients = new MqttJsClientPool();
const mosquitto = new MosquittoClients();

afterEach(async () => {
  await mosquitto.killAll();
  await clients.closeAll();
  await running?.close();
  running = undefined;
});

/** Accepts user "alice" with password "secret" only; "mallory" is known but not authorized. */
async function startWithAuthentication(): Promise<RunningBroker> {
  running = await startBroker({
    sysInterval: 0,
    hooks: {
      authenticate: async (_client, username, password) => {
        if (username === "mallory") return 5;
        const ok = username === "alice" && Buffer.from(password ?? []).toString() === "secret";
        return ok ? 0 : 4;
      },
    },
  });
  return running;
}

describe("authentication seen by MQTT.js and mosquitto_pub", () => {
  it("[authenticate] valid credentials are accepted with CONNACK 0", async () => {
    const { port } = await startWithAuthentication();
    const alice = await clients.connect(port, { username: "alice", password: "secret" });
    expect(alice.connack.returnCode).toBe(0);
  });

  it("[authenticate] a wrong password is refused with CONNACK 4 (bad user name or password)", async () => {
    const { port } = await startWithAuthentication();
    await expect(
      clients.connect(port, { username: "alice", password: "wrong" }),
    ).rejects.toMatchObject({ code: 4 });
  });

  it("[authenticate] an unauthorized user is refused with CONNACK 5 (not authorized)", async () => {
    const { port } = await startWithAuthentication();
    await expect(
      clients.connect(port, { username: "mallory", password: "secret" }),
    ).rejects.toMatchObject({ code: 5 });
  });

  it("[authenticate] mosquitto_sub with a wrong password is refused with CONNACK 4; mosquitto_pub with the right one succeeds", async () => {
    const { port } = await startWithAuthentication();
    const refused = mosquitto.sub([
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      "alice",
      "-P",
      "wrong",
      "-t",
      "x",
      "-d",
    ]);
    const exit = await refused.waitForExit();
    expect(exit.code).not.toBe(0);
    expect(exit.stdout).toMatch(/received CONNACK \(4\)/);
    await mosquitto.pub([
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      "alice",
      "-P",
      "secret",
      "-t",
      "x",
      "-m",
      "ok",
    ]);
  });
});

describe("authorization and limits seen by MQTT.js", () => {
  it("[MQTT-3.9.3-2] [authorizeSubscribe] a refused filter gets 0x80 and a downgraded one its lower QoS", async () => {
    running = await startBroker({
      sysInterval: 0,
      hooks: {
        authorizeSubscribe: (_client, filter, requested: QoS) =>
          filter.startsWith("secret/") ? 0x80 : filter.startsWith("slow/") ? 0 : requested,
      },
    });
    const subscriber = await clients.connect(running.port);
    // MQTT.js rejects a SUBACK containing 0x80, with the SUBACK attached to the error.
    const refusal = await subscriber.client
      .subscribeAsync({ "open/t": { qos: 2 }, "secret/t": { qos: 1 }, "slow/t": { qos: 2 } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refusal).toMatchObject({ packet: { cmd: "suback", granted: [2, 0x80, 0] } });
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("secret/t", "hidden", { qos: 1 });
    await publisher.client.publishAsync("slow/t", "downgraded", { qos: 2 });
    const messages = await subscriber.waitForMessages(1);
    await sleep(200);
    expect(messages.map(({ topic, qos }) => ({ topic, qos }))).toEqual([
      { topic: "slow/t", qos: 0 },
    ]);
  });

  it("[authorizePublish] a refused QoS 1 publish is still acknowledged and reaches no one", async () => {
    running = await startBroker({
      sysInterval: 0,
      hooks: { authorizePublish: (_client, topic) => !topic.startsWith("forbidden/") },
    });
    const subscriber = await clients.connect(running.port);
    await subscriber.client.subscribeAsync("#", { qos: 1 });
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("forbidden/t", "dropped", { qos: 1 });
    await publisher.client.publishAsync("allowed/t", "delivered", { qos: 1 });
    await subscriber.waitForMessages(1);
    await sleep(200);
    expect(subscriber.messages.map((message) => message.topic)).toEqual(["allowed/t"]);
    expect(publisher.client.connected).toBe(true);
  });

  it("[maxConnections] a connection beyond the limit is refused with CONNACK 3 (server unavailable)", async () => {
    running = await startBroker({ sysInterval: 0, limits: { maxConnections: 2 } });
    await clients.connect(running.port);
    await clients.connect(running.port);
    await expect(clients.connect(running.port)).rejects.toMatchObject({ code: 3 });
  });
});
