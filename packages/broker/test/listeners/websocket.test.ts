import { request } from "node:http";
import { type ConnectPacket, Decoder, encode, type Packet } from "@ternmq/codec";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { Broker } from "../../src/index.js";
import { type Certificates, makeCertificates, removeCertificates } from "./certificates.js";

const WAIT_MS = 3000;
let certificates: Certificates;
const brokers: Broker[] = [];
const sockets: WebSocket[] = [];

beforeAll(() => {
  certificates = makeCertificates();
}, 30_000);
afterAll(() => removeCertificates(certificates));
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

function newBroker(): Broker {
  const broker = new Broker({ logger: { level: "silent" }, sysInterval: 0 });
  brokers.push(broker);
  return broker;
}

/** A raw WebSocket MQTT client: sends bytes as binary frames, decodes what comes back. */
class WsClient {
  private readonly decoder = new Decoder({ role: "client", protocolVersion: 4 });
  private readonly packets: Packet[] = [];
  private notify: (() => void) | undefined;
  closeCode: number | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      this.decoder.push(data);
      for (let packet = this.decoder.next(); packet !== undefined; packet = this.decoder.next()) {
        this.packets.push(packet);
      }
      this.notify?.();
    });
    socket.on("close", (code) => {
      this.closeCode = code;
      this.notify?.();
    });
  }

  sendFrames(...frames: Uint8Array[]): void {
    for (const frame of frames) this.socket.send(frame, { binary: true });
  }

  /** Waits (bounded) until `count` packets have arrived and returns them. */
  async take(count: number): Promise<Packet[]> {
    await this.until(() => this.packets.length >= count, `${count} packets`);
    return this.packets.splice(0, count);
  }

  async closed(): Promise<number | undefined> {
    await this.until(() => this.closeCode !== undefined, "close");
    return this.closeCode;
  }

  private until(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.notify = undefined;
        reject(new Error(`no ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.notify = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.notify = undefined;
        resolve();
      };
    });
  }
}

function open(url: string, options: { ca?: Buffer } = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "mqtt", options);
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error("no WebSocket within 3 s")), WAIT_MS);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("open", () => {
      clearTimeout(timer);
      resolve(new WsClient(socket));
    });
  });
}

const bytes = (packet: Packet) => encode(packet, { protocolVersion: 4 });
const connect = (clientId: string): ConnectPacket => ({
  type: "connect",
  protocolVersion: 4,
  clean: true,
  keepalive: 0,
  clientId,
});

describe("WebSocket listener", () => {
  it("accepts the mqtt subprotocol and serves CONNECT over binary frames", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    const client = await open(`ws://127.0.0.1:${listener.port}/mqtt`);
    expect(client.socket.protocol).toBe("mqtt");
    client.sendFrames(bytes(connect("ws-client")));
    const [connack] = await client.take(1);
    expect(connack).toMatchObject({ type: "connack", reasonCode: 0 });
  });

  it("a packet split across several frames is decoded once complete", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    const client = await open(`ws://127.0.0.1:${listener.port}/mqtt`);
    const packet = bytes(connect("split-client"));
    client.sendFrames(packet.subarray(0, 1), packet.subarray(1, 5), packet.subarray(5));
    const [connack] = await client.take(1);
    expect(connack).toMatchObject({ type: "connack", reasonCode: 0 });
  });

  it("several packets in one frame are all handled, in order", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    const client = await open(`ws://127.0.0.1:${listener.port}/mqtt`);
    const frame = Buffer.concat([
      bytes(connect("batch-client")),
      bytes({ type: "subscribe", packetId: 7, subscriptions: [{ topicFilter: "a/b", qos: 1 }] }),
      bytes({
        type: "publish",
        topic: "a/b",
        payload: new TextEncoder().encode("hi"),
        qos: 0,
        dup: false,
        retain: false,
      }),
      bytes({ type: "pingreq" }),
    ]);
    client.sendFrames(frame);
    const packets = await client.take(4);
    expect(packets.map((packet) => packet.type)).toEqual([
      "connack",
      "suback",
      "publish",
      "pingresp",
    ]);
  });

  it("a wrong path gets HTTP 404", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    await expect(open(`ws://127.0.0.1:${listener.port}/other`)).rejects.toThrow(/404/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const get = request({ host: "127.0.0.1", port: listener.port, path: "/mqtt" }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      get.setTimeout(WAIT_MS, () => get.destroy(new Error("no HTTP answer")));
      get.once("error", reject);
      get.end();
    });
    expect(status).toBe(404);
  });

  it("a custom path is served", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1", path: "/" });
    const client = await open(`ws://127.0.0.1:${listener.port}/`);
    client.sendFrames(bytes(connect("root-path")));
    expect((await client.take(1))[0]).toMatchObject({ type: "connack" });
  });

  it("a text frame closes the connection with 1003", async () => {
    const listener = await newBroker().listenWebSocket({ port: 0, host: "127.0.0.1" });
    const client = await open(`ws://127.0.0.1:${listener.port}/mqtt`);
    client.socket.send("hello");
    expect(await client.closed()).toBe(1003);
  });

  it("WSS round trip with the test CA", async () => {
    const listener = await newBroker().listenWebSocketSecure({
      port: 0,
      host: "127.0.0.1",
      key: certificates.serverKey,
      cert: certificates.serverCert,
    });
    const client = await open(`wss://127.0.0.1:${listener.port}/mqtt`, { ca: certificates.ca });
    client.sendFrames(
      Buffer.concat([
        bytes(connect("wss-client")),
        bytes({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "x", qos: 0 }] }),
        bytes({
          type: "publish",
          topic: "x",
          payload: new Uint8Array([9]),
          qos: 0,
          dup: false,
          retain: false,
        }),
      ]),
    );
    const packets = await client.take(3);
    expect(packets[2]).toMatchObject({ type: "publish", topic: "x" });
  });

  it("broker.close() closes the WebSocket listener and its connections", async () => {
    const broker = newBroker();
    const listener = await broker.listenWebSocket({ port: 0, host: "127.0.0.1" });
    const client = await open(`ws://127.0.0.1:${listener.port}/mqtt`);
    client.sendFrames(bytes(connect("closing")));
    await client.take(1);
    await broker.close();
    await client.closed();
    await expect(open(`ws://127.0.0.1:${listener.port}/mqtt`)).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});
