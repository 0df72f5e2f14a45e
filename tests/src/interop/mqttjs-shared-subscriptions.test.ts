/**
 * Shared subscriptions (`$share/{group}/{filter}`, issue 5) used by MQTT.js 3.1.1 clients.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, waitUntil } from "../helpers/with-timeout.js";

let running: RunningBroker;
const clients = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 0 });
});

afterEach(async () => {
  await clients.closeAll();
  await running.close();
});

describe("MQTT.js shared subscriptions", () => {
  it("[shared] each message goes to exactly one member of a group, spread over all members", async () => {
    const members = await Promise.all(
      Array.from({ length: 3 }, () => clients.connect(running.port)),
    );
    await Promise.all(
      members.map(({ client }) => client.subscribeAsync("$share/workers/jobs/+", { qos: 1 })),
    );
    const publisher = await clients.connect(running.port);
    const jobs = Array.from({ length: 30 }, (_, index) => `job-${index}`);
    for (const job of jobs) await publisher.client.publishAsync("jobs/new", job, { qos: 1 });
    const total = () => members.reduce((sum, member) => sum + member.messages.length, 0);
    await waitUntil(
      () => total() >= jobs.length,
      3000,
      () => `${jobs.length} jobs (got ${total()})`,
    );
    await sleep(200);
    const received = members.flatMap((member) => member.messages.map((message) => message.payload));
    expect([...received].sort()).toEqual([...jobs].sort());
    for (const member of members) {
      expect(member.messages.length).toBeGreaterThan(0);
      expect(member.messages.every((message) => message.topic === "jobs/new")).toBe(true);
    }
  });

  it("[shared] a shared group and a plain subscriber on the same filter each get one copy", async () => {
    const groupMember = await clients.connect(running.port);
    const plain = await clients.connect(running.port);
    await groupMember.client.subscribeAsync("$share/g/both/t", { qos: 1 });
    await plain.client.subscribeAsync("both/t", { qos: 1 });
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("both/t", "copy", { qos: 1 });
    await groupMember.waitForMessages(1);
    await plain.waitForMessages(1);
    await sleep(200);
    expect(groupMember.messages.map((message) => message.topic)).toEqual(["both/t"]);
    expect(plain.messages.map((message) => message.topic)).toEqual(["both/t"]);
  });

  it("[shared] retained messages are not sent to a new shared subscription", async () => {
    const publisher = await clients.connect(running.port);
    await publisher.client.publishAsync("shared-retained/t", "retained", { qos: 1, retain: true });
    const member = await clients.connect(running.port);
    await member.client.subscribeAsync("$share/g/shared-retained/#", { qos: 1 });
    await sleep(300);
    await publisher.client.publishAsync("shared-retained/t", "live", { qos: 1 });
    await member.waitForMessages(1);
    expect(member.messages.map(({ payload, retain }) => ({ payload, retain }))).toEqual([
      { payload: "live", retain: false },
    ]);
  });

  it("[shared] after UNSUBSCRIBE from the group, the remaining member gets every message", async () => {
    const leaving = await clients.connect(running.port);
    const staying = await clients.connect(running.port);
    await leaving.client.subscribeAsync("$share/g/leave/t", { qos: 1 });
    await staying.client.subscribeAsync("$share/g/leave/t", { qos: 1 });
    await leaving.client.unsubscribeAsync("$share/g/leave/t");
    const publisher = await clients.connect(running.port);
    for (let index = 0; index < 6; index += 1) {
      await publisher.client.publishAsync("leave/t", `${index}`, { qos: 1 });
    }
    const messages = await staying.waitForMessages(6);
    expect(messages.map((message) => message.payload)).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(leaving.messages).toEqual([]);
  });
});
