import { describe, expect, it } from "vitest";
import { ClientSession, ServerSession } from "../src/index.js";
import { message } from "./harness.js";

describe("client keepalive", () => {
  it("[MQTT-3.1.2-23] PINGREQ is due keepalive after the last packet SENT", () => {
    const client = new ClientSession({ keepaliveSeconds: 10 });
    expect(client.nextDeadline()).toBeUndefined(); // disconnected: nothing to wait for
    client.connected(1000, { sessionPresent: true });
    expect(client.nextDeadline()).toBe(11_000);
    client.publish(message(1, 0), 4000);
    expect(client.nextDeadline()).toBe(14_000);
    // Receiving does not postpone the PINGREQ: only sending counts.
    client.handlePacket({ type: "pingresp" }, 13_000);
    expect(client.nextDeadline()).toBe(14_000);
    expect(client.handleTimeout(13_999).send).toEqual([]);
    expect(client.handleTimeout(14_000).send).toEqual([{ type: "pingreq" }]);
  });

  it("reports ping-timeout when PINGRESP does not arrive within pingTimeoutMs", () => {
    const client = new ClientSession({ keepaliveSeconds: 10, pingTimeoutMs: 3000 });
    client.connected(0, { sessionPresent: true });
    client.handleTimeout(10_000);
    expect(client.nextDeadline()).toBe(13_000);
    expect(client.handleTimeout(12_999)).toMatchObject({ send: [], events: [] });
    expect(client.handleTimeout(13_000).events).toEqual([{ type: "ping-timeout" }]);
    expect(client.nextDeadline()).toBeUndefined();
  });

  it("PINGRESP clears the outstanding ping; the next PINGREQ follows keepalive after it was sent", () => {
    const client = new ClientSession({ keepaliveSeconds: 10 });
    client.connected(0, { sessionPresent: true });
    client.handleTimeout(10_000);
    expect(client.nextDeadline()).toBe(20_000); // default ping timeout = keepalive
    client.handlePacket({ type: "pingresp" }, 10_500);
    expect(client.nextDeadline()).toBe(20_000);
    expect(client.handleTimeout(20_000).send).toEqual([{ type: "pingreq" }]);
  });

  it("CONNACK's Server Keep Alive overrides the option; 0 disables", () => {
    const client = new ClientSession({ keepaliveSeconds: 60 });
    client.connected(0, { sessionPresent: true, keepaliveSeconds: 5 });
    expect(client.nextDeadline()).toBe(5000);
    client.connectionLost();
    client.connected(0, { sessionPresent: true, keepaliveSeconds: 0 });
    expect(client.nextDeadline()).toBeUndefined();
  });

  it("packets the shell sends itself count as sent", () => {
    const client = new ClientSession({ keepaliveSeconds: 10 });
    client.connected(0, { sessionPresent: true });
    client.packetSent(7000);
    expect(client.nextDeadline()).toBe(17_000);
  });
});

describe("server keepalive", () => {
  it("[MQTT-3.1.2-24] keepalive-expired after 1.5 x keepalive without a packet RECEIVED", () => {
    const server = new ServerSession();
    server.connected(0, { sessionPresent: false, keepaliveSeconds: 10 });
    expect(server.nextDeadline()).toBe(15_000);
    server.handlePacket({ type: "pingreq" }, 9000);
    expect(server.nextDeadline()).toBe(24_000);
    // Sending does not count.
    server.publish(message(1, 0), 20_000);
    expect(server.handleTimeout(23_999).events).toEqual([]);
    expect(server.handleTimeout(24_000).events).toEqual([{ type: "keepalive-expired" }]);
    expect(server.nextDeadline()).toBeUndefined();
  });

  it("[MQTT-3.12.4-1] answers PINGREQ with PINGRESP", () => {
    const server = new ServerSession();
    server.connected(0, { sessionPresent: false });
    expect(server.handlePacket({ type: "pingreq" }, 0).send).toEqual([{ type: "pingresp" }]);
  });

  it("takes the earlier of the keepalive and retry deadlines", () => {
    const server = new ServerSession({ retryIntervalMs: 2000, keepaliveSeconds: 10 });
    server.connected(0, { sessionPresent: false });
    expect(server.nextDeadline()).toBe(15_000);
    server.publish(message(1, 1), 500);
    expect(server.nextDeadline()).toBe(2500);
  });
});
