import { describe, expect, it } from "vitest";
import { ClientSession } from "../src/index.js";
import { describePacket, message } from "./harness.js";

function connected(): ClientSession {
  const client = new ClientSession();
  client.connected(0, { sessionPresent: false });
  return client;
}

describe("SUBSCRIBE / UNSUBSCRIBE", () => {
  it("[MQTT-2.3.1-2] takes ids from the same allocator as PUBLISH", () => {
    const client = connected();
    expect(client.publish(message(1, 1), 0).send.map(describePacket)).toEqual(["publish q1 #1"]);
    const subscribe = client.subscribe([{ topicFilter: "a/#", qos: 1 }], 0);
    expect(subscribe.packetId).toBe(2);
    expect(subscribe.send).toEqual([
      { type: "subscribe", packetId: 2, subscriptions: [{ topicFilter: "a/#", qos: 1 }] },
    ]);
    expect(client.unsubscribe(["a/#"], 0).packetId).toBe(3);
    expect(client.publish(message(2, 2), 0).send.map(describePacket)).toEqual(["publish q2 #4"]);
  });

  it("[MQTT-3.8.4-5] SUBACK completes the request and frees its id", () => {
    const client = connected();
    const { packetId } = client.subscribe(
      [
        { topicFilter: "a", qos: 1 },
        { topicFilter: "b", qos: 2 },
      ],
      0,
    );
    const step = client.handlePacket({ type: "suback", packetId, reasonCodes: [1, 0x80] }, 0);
    expect(step.events).toEqual([{ type: "subscribe-complete", packetId, reasonCodes: [1, 0x80] }]);
    const unsubscribe = client.unsubscribe(["a"], 0);
    expect(
      client.handlePacket({ type: "unsuback", packetId: unsubscribe.packetId }, 0).events,
    ).toEqual([
      { type: "unsubscribe-complete", packetId: unsubscribe.packetId, reasonCodes: undefined },
    ]);
  });

  it("[MQTT-4.4.0-1] pending requests are aborted, not resent, when the connection drops", () => {
    const client = connected();
    const subscribe = client.subscribe([{ topicFilter: "a", qos: 0 }], 0);
    const unsubscribe = client.unsubscribe(["b"], 0);
    expect(client.connectionLost().events).toEqual([
      { type: "request-aborted", kind: "subscribe", packetId: subscribe.packetId },
      { type: "request-aborted", kind: "unsubscribe", packetId: unsubscribe.packetId },
    ]);
    expect(client.connected(1, { sessionPresent: true }).send).toEqual([]);
    expect(client.subscribe([{ topicFilter: "a", qos: 0 }], 1).packetId).toBe(3);
  });
});

describe("in-session retry (off by default)", () => {
  it("never resends on the same connection by default", () => {
    const client = connected();
    client.publish(message(1, 1), 0);
    expect(client.nextDeadline()).toBeUndefined();
    expect(client.handleTimeout(1_000_000).send).toEqual([]);
  });

  it("with retryIntervalMs resends PUBLISH (DUP=1) and PUBREL that stay unacknowledged", () => {
    const client = new ClientSession({ retryIntervalMs: 1000 });
    client.connected(0, { sessionPresent: false });
    client.publish(message(1, 1), 0);
    client.publish(message(2, 2), 100);
    expect(client.nextDeadline()).toBe(1000);
    expect(client.handleTimeout(999).send).toEqual([]);
    expect(client.handleTimeout(1000).send.map(describePacket)).toEqual(["publish q1 dup #1"]);
    expect(client.nextDeadline()).toBe(1100);
    client.handlePacket({ type: "pubrec", packetId: 2 }, 1050);
    expect(client.nextDeadline()).toBe(2000);
    expect(client.handleTimeout(2050).send.map(describePacket)).toEqual([
      "publish q1 dup #1",
      "pubrel #2",
    ]);
  });
});
