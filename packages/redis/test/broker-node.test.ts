// Brokers on `openRedisCluster` in this process (as in the README's "Cluster bus" example),
// over raw sockets: the cases that the child-process tests of tests/src/cluster cannot time
// (a client that leaves while its session is being loaded) or that need an injected clock
// (cluster-wide session expiry).
import { type Socket, connect as tcpConnect } from "node:net";
import { Broker, type BrokerOptions } from "@ternmq/broker";
import { Decoder, encode, type Packet } from "@ternmq/codec";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { openRedisCluster, type RedisCluster } from "../src/index.js";
import { type RunningRedis, startRedisServer } from "../src/testing/index.js";

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.close());

const running: { broker: Broker; cluster: RedisCluster }[] = [];
/** Each test has its own key prefix: a cluster of its own on the shared server. */
let prefix = "";
let tests = 0;
beforeEach(() => {
  tests++;
  prefix = `node-test-${tests}:`;
});
afterEach(async () => {
  for (const { broker, cluster } of running.splice(0)) {
    await broker.close();
    await cluster.close();
  }
});

/** A broker node on the test Redis; `lines` receives its log records. */
async function startNode(
  nodeId: string,
  lines: { msg: string; clientId?: string; deleted?: number }[] = [],
  options: Partial<BrokerOptions> = {},
) {
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  const cluster = openRedisCluster({
    url: server.url,
    nodeId,
    keyPrefix: prefix,
    heartbeatMs: 100,
    nodeTtlMs: 500,
  });
  const broker = new Broker({
    ...options,
    logger,
    sysInterval: 0,
    cluster: cluster.bus,
    persistence: { sessions: cluster.sessions, retained: cluster.retained },
  });
  running.push({ broker, cluster });
  await broker.ready;
  const listener = await broker.listen({ port: 0, host: "127.0.0.1" });
  return { broker, port: listener.port, lines };
}

/** A raw MQTT 3.1.1 connection that collects what the broker sends. */
async function rawConnection(port: number) {
  const socket: Socket = await new Promise((resolve, reject) => {
    const opened = tcpConnect({ port, host: "127.0.0.1" }, () => resolve(opened));
    opened.once("error", reject);
  });
  const decoder = new Decoder({ role: "client", protocolVersion: 4 });
  const received: Packet[] = [];
  socket.on("data", (chunk: Buffer) => {
    decoder.push(chunk);
    for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
      received.push(packet);
    }
  });
  socket.on("error", () => {});
  const send = (packet: Packet) => socket.write(encode(packet, { protocolVersion: 4 }));
  return { socket, received, send };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);

    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const connect = (clientId: string, clean: boolean): Packet => ({
  type: "connect",
  protocolVersion: 4,
  clientId,
  clean,
  keepalive: 60,
});

it("a client that leaves while its stored session is being loaded leaves it in the store, unowned", async () => {
  const node = await startNode("n1");
  const first = await rawConnection(node.port);
  first.send(connect("leaver", false));
  await until(() => first.received.some((packet) => packet.type === "connack"), "CONNACK");
  first.send({ type: "disconnect" });
  await until(() => node.broker.stats.clientsConnected === 0, "the first connection ended");

  // The claim and the load of the session are held up in Redis while the client goes away.
  const second = await rawConnection(node.port);
  server.pause();
  try {
    second.send(connect("leaver", false));
    // No event tells that the broker read the CONNECT; it has, long before this.
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A reset, not a FIN: after a FIN the broker would still answer the CONNECT (half-open).
    second.socket.resetAndDestroy();
    await until(
      () => node.lines.some((line) => line.msg === "connection closed before CONNECT was accepted"),
      "the broker to see the connection gone",
    );
  } finally {
    server.resume();
  }
  await until(
    () => node.lines.some((line) => line.msg.includes("left before CONNACK")),
    "the node to give the session back",
  );
  expect(node.broker.stats.clientsDisconnected).toBe(0); // no offline session held here
  const redis = new Redis(server.url);
  try {
    expect(await redis.hget(`${prefix}own`, "leaver")).toBeNull(); // nobody owns it
  } finally {
    redis.disconnect();
  }
  const third = await rawConnection(node.port);
  third.send(connect("leaver", false));
  await until(() => third.received.some((packet) => packet.type === "connack"), "CONNACK");
  expect(third.received[0]).toMatchObject({ type: "connack", sessionPresent: true });
  third.socket.destroy();
});

it("maxSessionAgeSeconds expires stored sessions that no node holds, cluster-wide, and keeps held ones", async () => {
  const first = await startNode("n1");
  const away = await rawConnection(first.port);
  away.send(connect("gone-away", false));
  await until(() => away.received.some((packet) => packet.type === "connack"), "CONNACK");
  away.send({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "t/#", qos: 1 }] });
  await until(() => away.received.some((packet) => packet.type === "suback"), "SUBACK");
  away.send({ type: "disconnect" });
  const here = await rawConnection(first.port);
  here.send(connect("still-here", false));
  await until(() => here.received.some((packet) => packet.type === "connack"), "CONNACK");
  await until(() => first.broker.stats.clientsConnected === 1, "gone-away to disconnect");

  // A second node whose clock is two minutes ahead sweeps at start.
  const lines: { msg: string; deleted?: number }[] = [];
  await startNode("n2", lines, { maxSessionAgeSeconds: 60, now: () => Date.now() + 120_000 });
  await until(() => lines.some((line) => line.msg === "expired sessions deleted"), "the sweep");
  expect(lines.find((line) => line.msg === "expired sessions deleted")?.deleted).toBe(1);

  const redis = new Redis(server.url);
  try {
    expect(await redis.sismember(`${prefix}sessions`, "gone-away")).toBe(0);
    expect(await redis.exists(`${prefix}r:p:gone-away`)).toBe(0); // its routes went with it
    expect(await redis.sismember(`${prefix}sessions`, "still-here")).toBe(1);
  } finally {
    redis.disconnect();
    here.socket.destroy();
  }
});
