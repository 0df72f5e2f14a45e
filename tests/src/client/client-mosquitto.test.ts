/**
 * @ternmq/client against a real mosquitto (Debian's /usr/sbin/mosquitto on an OS-assigned
 * port, started once for the file): QoS 0/1/2 both ways, retained messages, wills, persistent
 * session resume, and a refused CONNACK. Each test uses its own topics and client ids.
 */

import { connectAsync } from "@ternmq/client";
import type { QoS } from "@ternmq/codec";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningMosquitto, startMosquitto } from "../helpers/mosquitto-broker.js";
import { TernmqClientPool } from "./ternmq-clients.js";

const qosLevels: readonly QoS[] = [0, 1, 2];
let mosquitto: RunningMosquitto;
const clients = new TernmqClientPool();

beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(() => mosquitto.close());
afterEach(() => clients.endAll());

describe("@ternmq/client against mosquitto", () => {
  for (const subscribeQoS of qosLevels) {
    it(`[MQTT-3.8.4-6] publishes at QoS 0, 1 and 2 arrive at a QoS ${subscribeQoS} subscription at min(publish, granted)`, async () => {
      const subscriber = await clients.connect(mosquitto.url);
      const publisher = await clients.connect(mosquitto.url);
      const granted = await subscriber.client.subscribe(`flow${subscribeQoS}/#`, {
        qos: subscribeQoS,
      });
      expect(granted).toEqual([{ topicFilter: `flow${subscribeQoS}/#`, returnCode: subscribeQoS }]);
      for (const qos of qosLevels) {
        // Resolves on write (0), PUBACK (1) or PUBCOMP (2) from mosquitto.
        await publisher.client.publish(`flow${subscribeQoS}/q${qos}`, `payload ${qos}`, { qos });
      }
      expect(await subscriber.waitForMessages(3)).toEqual(
        qosLevels.map((qos) => ({
          topic: `flow${subscribeQoS}/q${qos}`,
          payload: `payload ${qos}`,
          qos: Math.min(qos, subscribeQoS),
          retain: false,
        })),
      );
    });
  }

  it("[MQTT-3.3.1-6] a retained message reaches a later subscriber; an empty one clears it", async () => {
    const publisher = await clients.connect(mosquitto.url);
    await publisher.client.publish("retained/lamp", "on", { qos: 1, retain: true });
    const late = await clients.connect(mosquitto.url);
    await late.client.subscribe("retained/lamp", { qos: 1 });
    // [MQTT-3.3.1-8] Sent because of a new subscription: the retain flag is set.
    expect(await late.waitForMessages(1)).toEqual([
      { topic: "retained/lamp", payload: "on", qos: 1, retain: true },
    ]);
    // [MQTT-3.3.1-10] A zero-byte retained message removes it: a third subscriber gets nothing
    // retained, only the live message published after its SUBACK.
    await publisher.client.publish("retained/lamp", new Uint8Array(0), { qos: 1, retain: true });
    const third = await clients.connect(mosquitto.url);
    await third.client.subscribe("retained/lamp", { qos: 1 });
    await publisher.client.publish("retained/lamp", "live", { qos: 1 });
    expect(await third.waitForMessages(1)).toEqual([
      { topic: "retained/lamp", payload: "live", qos: 1, retain: false },
    ]);
  });

  it("[MQTT-3.1.2-8] the will is published when the client goes without DISCONNECT", async () => {
    const watcher = await clients.connect(mosquitto.url);
    await watcher.client.subscribe("will/status", { qos: 1 });
    const doomed = await clients.connect(mosquitto.url, {
      will: { topic: "will/status", payload: "gone", qos: 1, retain: false },
    });
    await doomed.client.end({ force: true }); // closes the socket, sends no DISCONNECT
    expect(await watcher.waitForMessages(1)).toEqual([
      { topic: "will/status", payload: "gone", qos: 1, retain: false },
    ]);
  });

  it("[MQTT-3.1.2-10] no will after a graceful end (DISCONNECT)", async () => {
    const watcher = await clients.connect(mosquitto.url);
    await watcher.client.subscribe("will/graceful", { qos: 1 });
    const leaving = await clients.connect(mosquitto.url, {
      will: { topic: "will/graceful", payload: "gone", qos: 1 },
    });
    await leaving.client.end();
    // A later message on the same topic is the first to arrive: the will never came.
    const publisher = await clients.connect(mosquitto.url);
    await publisher.client.publish("will/graceful", "after", { qos: 1 });
    expect(await watcher.waitForMessages(1)).toEqual([
      { topic: "will/graceful", payload: "after", qos: 1, retain: false },
    ]);
  });

  it("[MQTT-3.1.2-4] a persistent session resumes: subscriptions kept, missed QoS 1/2 delivered", async () => {
    const session = { clientId: "ternmq-resume", clean: false } as const;
    const first = await clients.connect(mosquitto.url, session);
    expect(first.sessionPresent).toBe(false);
    await first.client.subscribe("resume/#", { qos: 2 });
    await first.client.end();
    const publisher = await clients.connect(mosquitto.url);
    await publisher.client.publish("resume/one", "missed 1", { qos: 1 });
    await publisher.client.publish("resume/two", "missed 2", { qos: 2 });
    await publisher.client.publish("resume/zero", "missed 0", { qos: 0 });
    const second = await clients.connect(mosquitto.url, session);
    // [MQTT-3.2.2-2] The server has the session: Session Present is 1.
    expect(second.sessionPresent).toBe(true);
    const received = await second.waitForMessages(2);
    expect(received).toEqual([
      { topic: "resume/one", payload: "missed 1", qos: 1, retain: false },
      { topic: "resume/two", payload: "missed 2", qos: 2, retain: false },
    ]);
    // Not subscribed again: the kept subscription still delivers live messages.
    await publisher.client.publish("resume/live", "live", { qos: 1 });
    expect((await second.waitForMessages(3))[2]).toMatchObject({ topic: "resume/live" });
    await second.client.end();
    // [MQTT-3.1.2-6] clean=true discards it: nothing present on the next connection.
    const clean = await clients.connect(mosquitto.url, { clientId: "ternmq-resume" });
    expect(clean.sessionPresent).toBe(false);
  });

  it("[MQTT-3.2.2-5] connectAsync rejects a refused CONNACK with its return code", async () => {
    const guarded = await startMosquitto({ users: { alice: "secret" } });
    try {
      const url = `mqtt://127.0.0.1:${guarded.port}`;
      await expect(
        connectAsync(url, { username: "alice", password: "wrong", reconnect: false }),
      ).rejects.toMatchObject({ code: "MQTT_ERR_CLIENT_CONNACK_REFUSED", returnCode: 5 });
      const accepted = await connectAsync(url, { username: "alice", password: "secret" });
      expect(accepted.connected).toBe(true);
      await accepted.end();
    } finally {
      await guarded.close();
    }
  });
});
