import { createServer, type Server, type Socket } from "node:net";
import { hex, toHex } from "@ternmq/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { delay, MQTT_CONNECT_FAILED, PubSubClient, TcpClient } from "../src/index.js";
import { CONNACK_ACCEPTED, CONNECT_C1, DISCONNECT } from "./harness.js";

interface FakeBroker {
  readonly server: Server;
  readonly port: number;
  /** Everything received, per connection. */
  readonly received: number[];
  socket(): Promise<Socket>;
}

/** A node:net server on port 0 that answers the first CONNECT with CONNACK. */
async function fakeBroker(): Promise<FakeBroker> {
  const received: number[] = [];
  let resolveSocket: (socket: Socket) => void = () => {};
  const socketPromise = new Promise<Socket>((resolve) => {
    resolveSocket = resolve;
  });
  const server = createServer((socket) => {
    openSockets.push(socket);
    resolveSocket(socket);
    socket.on("data", (chunk) => {
      const first = received.length === 0;
      received.push(...chunk);
      if (first) socket.write(CONNACK_ACCEPTED);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { server, port, received, socket: () => socketPromise };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (condition()) return;
    await delay(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const servers: Server[] = [];
const openSockets: Socket[] = [];
afterEach(async () => {
  for (const socket of openSockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("TcpClient against a real TCP server", () => {
  it("connects, publishes, receives a PUBLISH in loop() and disconnects", async () => {
    const broker = await fakeBroker();
    servers.push(broker.server);
    const messages: string[] = [];
    const client = new PubSubClient("127.0.0.1", broker.port, new TcpClient());
    client.setCallback((topic, payload) =>
      messages.push(`${topic}=${new TextDecoder().decode(payload)}`),
    );
    expect(await client.connect("c1")).toBe(true);
    expect(client.publish("a/b", "hi")).toBe(true);
    const expected = toHex(hex`${toHex(CONNECT_C1)} 30 07 00 03 61 2f 62 68 69`);
    await until(() => toHex(Uint8Array.from(broker.received)) === expected, "CONNECT + PUBLISH");
    const socket = await broker.socket();
    socket.write(hex`30 08 00 01 74 68 65 6c 6c 6f`);
    await until(() => {
      client.loop();
      return messages.length > 0;
    }, "the PUBLISH");
    expect(messages).toEqual(["t=hello"]);
    const closed = new Promise((resolve) => socket.once("close", resolve));
    client.disconnect();
    await closed;
    expect(toHex(Uint8Array.from(broker.received.slice(-2)))).toBe(toHex(DISCONNECT));
    expect(client.connected()).toBe(false);
  });

  it("a refused TCP connection makes connect() resolve false with state -2", async () => {
    const broker = await fakeBroker();
    const port = broker.port;
    await new Promise((resolve) => broker.server.close(resolve));
    const client = new PubSubClient("127.0.0.1", port, new TcpClient());
    expect(await client.connect("c1")).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECT_FAILED);
  });

  it("reports unread bytes through available()/read() like an Arduino Client", async () => {
    const broker = await fakeBroker();
    servers.push(broker.server);
    const tcp = new TcpClient();
    expect(await tcp.connect("127.0.0.1", broker.port)).toBe(true);
    const socket = await broker.socket();
    socket.write(hex`01 02 03`);
    socket.end();
    await until(() => tcp.available() === 3, "3 bytes");
    await delay(20);
    expect(tcp.connected()).toBe(true); // closed by the peer, but bytes are unread
    expect(tcp.read()).toBe(1);
    const rest = new Uint8Array(8);
    expect(tcp.read(rest)).toBe(2);
    expect(tcp.read()).toBe(-1);
    expect(tcp.connected()).toBe(false);
    expect(tcp.write(Uint8Array.of(1))).toBe(0);
  });
});
