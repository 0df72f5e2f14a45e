import { hex, ScriptedTransport } from "@ternmq/testkit";
import { describe, expect, it } from "vitest";
import {
  IPAddress,
  MQTT_CONNECT_BAD_CLIENT_ID,
  MQTT_CONNECT_BAD_CREDENTIALS,
  MQTT_CONNECT_BAD_PROTOCOL,
  MQTT_CONNECT_FAILED,
  MQTT_CONNECT_UNAUTHORIZED,
  MQTT_CONNECT_UNAVAILABLE,
  MQTT_CONNECTED,
  MQTT_CONNECTION_TIMEOUT,
  MQTT_DISCONNECTED,
  PubSubClient,
} from "../src/index.js";
import {
  CONNACK_ACCEPTED,
  CONNECT_C1,
  connectedClient,
  DISCONNECT,
  useManualClock,
} from "./harness.js";

const clock = useManualClock();

function scripted(): { client: PubSubClient; transport: ScriptedTransport } {
  const transport = new ScriptedTransport();
  return { client: new PubSubClient("broker.local", 1883, transport), transport };
}

/** Resolves once the pending connect() had a few event-loop turns to poll. */
const turns = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe("connect overloads", () => {
  it("connect(id) sends a clean-session CONNECT with keepalive 15 and resolves true", async () => {
    const { client, transport } = await connectedClient();
    expect(client.state()).toBe(MQTT_CONNECTED);
    expect(client.connected()).toBe(true);
    expect(transport.connectCalls).toEqual([{ host: "broker.local", port: 1883 }]);
    transport.assertDone();
  });

  it("connect(id, user, pass) sets the user name and password flags", async () => {
    const { client, transport } = scripted();
    transport
      .expect(hex`
        10 1a 00 04 4d 51 54 54 04
        c2                          // user name, password, clean session
        00 0f 00 02 63 31
        00 04 75 73 65 72           // "user"
        00 04 70 61 73 73           // "pass"
      `)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1", "user", "pass")).toBe(true);
    transport.assertDone();
  });

  it("connect(id, user, null) sends the user name only", async () => {
    const { client, transport } = scripted();
    transport
      .expect(hex`10 14 00 04 4d 51 54 54 04 82 00 0f 00 02 63 31 00 04 75 73 65 72`)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1", "user", null)).toBe(true);
    transport.assertDone();
  });

  it("connect(id, willTopic, willQos, willRetain, willMessage) sets the will flags", async () => {
    const { client, transport } = scripted();
    transport
      .expect(hex`
        10 1b 00 04 4d 51 54 54 04
        2e                          // will retain, will QoS 1, will flag, clean session
        00 0f 00 02 63 31
        00 06 73 2f 64 65 76 31     // will topic "s/dev1"
        00 03 4f 46 46              // will message "OFF"
      `)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1", "s/dev1", 1, true, "OFF")).toBe(true);
    transport.assertDone();
  });

  it("[MQTT-3.1.2-11] sets no will flag, QoS or retain without a will topic", async () => {
    const { client, transport } = scripted();
    transport
      .expect(hex`10 0e 00 04 4d 51 54 54 04 02 00 0f 00 02 63 31`)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1", null, null, null, 2, true, "ignored")).toBe(true);
    transport.assertDone();
  });

  it("the 8-argument form clears clean session when cleanSession is false", async () => {
    const { client, transport } = scripted();
    transport
      .expect(hex`
        10 1a 00 04 4d 51 54 54 04
        ec                          // user, password, will retain, will QoS 1, will, no clean
        00 0f 00 02 63 31
        00 01 77 00 01 6d           // will "w" / "m"
        00 01 75 00 01 70           // user "u", password "p"
      `)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1", "u", "p", "w", 1, true, "m", false)).toBe(true);
    transport.assertDone();
  });

  it("sends the keepalive set with setKeepAlive", async () => {
    const { client, transport } = scripted();
    client.setKeepAlive(60);
    transport
      .expect(hex`10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31`)
      .respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1")).toBe(true);
  });

  it("resolves true without writing when already connected", async () => {
    const { client, transport } = await connectedClient();
    expect(await client.connect("c1")).toBe(true);
    expect(transport.writes).toHaveLength(1);
  });

  it("uses a Client that is already connected instead of connecting it (2.8)", async () => {
    const transport = new ScriptedTransport();
    await transport.connect("elsewhere", 1);
    const client = new PubSubClient(transport);
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1")).toBe(true);
    expect(transport.connectCalls).toHaveLength(1);
  });
});

describe("servers", () => {
  it("connects to an IPAddress as a dotted quad", async () => {
    const transport = new ScriptedTransport();
    const client = new PubSubClient(new IPAddress(192, 168, 1, 10), 1884, transport);
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED);
    await client.connect("c1");
    expect(transport.connectCalls).toEqual([{ host: "192.168.1.10", port: 1884 }]);
  });

  it("copies a 4-byte address: changing the array later changes nothing", async () => {
    const transport = new ScriptedTransport();
    const address = [10, 0, 0, 1];
    const client = new PubSubClient().setServer(address, 1883).setClient(transport);
    address[3] = 2;
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED);
    await client.connect("c1");
    expect(transport.connectCalls).toEqual([{ host: "10.0.0.1", port: 1883 }]);
  });

  it("takes the callback from the (server, port, callback, client) constructor", async () => {
    const transport = new ScriptedTransport();
    const topics: string[] = [];
    const client = new PubSubClient("h", 1, (topic) => topics.push(topic), transport);
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED).respond(hex`30 03 00 01 74`);
    await client.connect("c1");
    client.loop();
    expect(topics).toEqual(["t"]);
  });
});

describe("state codes set by connect", () => {
  it.each([
    [1, MQTT_CONNECT_BAD_PROTOCOL],
    [2, MQTT_CONNECT_BAD_CLIENT_ID],
    [3, MQTT_CONNECT_UNAVAILABLE],
    [4, MQTT_CONNECT_BAD_CREDENTIALS],
    [5, MQTT_CONNECT_UNAUTHORIZED],
  ])("CONNACK return code %i sets state %i and stops the Client", async (code, state) => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1).respond(Uint8Array.of(0x20, 0x02, 0x00, code));
    expect(await client.connect("c1")).toBe(false);
    expect(client.state()).toBe(state);
    expect(client.connected()).toBe(false);
    expect(transport.stopCalls).toBe(1);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_CONNECTION_REFUSED");
  });

  it("a failed Client.connect sets MQTT_CONNECT_FAILED (-2)", async () => {
    const { client, transport } = scripted();
    transport.connectResult = false;
    expect(await client.connect("c1")).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECT_FAILED);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_TCP_CONNECT_FAILED");
    expect(transport.writes).toHaveLength(0);
  });

  it("without a server or a Client, connect fails with -2 and says which", async () => {
    const noServer = new PubSubClient(new ScriptedTransport());
    expect(await noServer.connect("c1")).toBe(false);
    expect(noServer.state()).toBe(MQTT_CONNECT_FAILED);
    expect(noServer.lastError()?.code).toBe("PUBSUB_ERR_NO_SERVER");
    const noClient = new PubSubClient();
    expect(await noClient.connect("c1")).toBe(false);
    expect(noClient.lastError()?.code).toBe("PUBSUB_ERR_NO_CLIENT");
  });

  it("no CONNACK within setSocketTimeout sets MQTT_CONNECTION_TIMEOUT (-4)", async () => {
    const { client, transport } = scripted();
    client.setSocketTimeout(2);
    transport.expect(CONNECT_C1);
    let result: boolean | undefined;
    const pending = client.connect("c1").then((value) => {
      result = value;
    });
    await turns();
    clock.advance(1_999);
    await turns();
    expect(result).toBeUndefined();
    clock.advance(1);
    await pending;
    expect(result).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_TIMEOUT);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_CONNECT_TIMEOUT");
    expect(transport.stopCalls).toBe(1);
  });

  it("a connection closed before CONNACK fails at once with -4", async () => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1).close();
    expect(await client.connect("c1")).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECTION_TIMEOUT);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_CONNECTION_LOST");
  });

  it("a packet other than CONNACK fails the connect", async () => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1).respond(hex`d0 00`);
    expect(await client.connect("c1")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_UNEXPECTED_PACKET");
    expect(client.state()).toBe(MQTT_DISCONNECTED);
  });

  it("a malformed CONNACK fails the connect with the codec's code as the cause", async () => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1).respond(hex`20 03 00 00 00`);
    expect(await client.connect("c1")).toBe(false);
    const error = client.lastError();
    expect(error?.code).toBe("PUBSUB_ERR_PROTOCOL_ERROR");
    expect(error?.causeCode).toBe("MQTT_ERR_TRAILING_BYTES");
  });

  it("a CONNACK split over several reads is still read", async () => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1).respond(hex`20`);
    const pending = client.connect("c1");
    await turns();
    transport.inject(hex`02 00 00`);
    expect(await pending).toBe(true);
  });

  it("disconnect() sends DISCONNECT, stops the Client and sets -1", async () => {
    const { client, transport } = await connectedClient();
    transport.expect(DISCONNECT);
    client.disconnect();
    expect(client.state()).toBe(MQTT_DISCONNECTED);
    expect(client.connected()).toBe(false);
    expect(transport.stopCalls).toBe(1);
    transport.assertDone();
  });

  it("a successful connect clears lastError()", async () => {
    const { client, transport } = scripted();
    transport.connectResult = false;
    await client.connect("c1");
    expect(client.lastError()).toBeDefined();
    transport.connectResult = true;
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED);
    expect(await client.connect("c1")).toBe(true);
    expect(client.lastError()).toBeUndefined();
  });
});

describe("CONNECT and the buffer size", () => {
  // 2.8 counts 5 header bytes + 10 variable header bytes, then 2 + length per string.
  it("connects when the client id exactly fits the buffer", async () => {
    const { client, transport } = scripted();
    expect(client.setBufferSize(20)).toBe(true);
    transport.expect(hex`10 0f 00 04 4d 51 54 54 04 02 00 0f 00 03 61 62 63`);
    transport.respond(CONNACK_ACCEPTED);
    expect(await client.connect("abc")).toBe(true);
  });

  it("fails, writing nothing, when the client id is one byte over", async () => {
    const { client, transport } = scripted();
    client.setBufferSize(20);
    expect(await client.connect("abcd")).toBe(false);
    expect(transport.writes).toHaveLength(0);
    expect(transport.stopCalls).toBe(1);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
    expect(client.state()).toBe(MQTT_DISCONNECTED);
  });

  it("counts the will message and password too", async () => {
    const { client } = scripted();
    client.setBufferSize(30);
    expect(await client.connect("c1", "u", "p", "w", 0, false, "a-long-will-message")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
  });
});

describe("connect edge cases", () => {
  it("a Client whose connect throws counts as a failed connect (-2)", async () => {
    const { client, transport } = scripted();
    transport.connect = () => Promise.reject(new Error("no route"));
    expect(await client.connect("c1")).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECT_FAILED);
  });

  it("a will QoS the codec refuses fails with PUBSUB_ERR_INVALID_ARGUMENT", async () => {
    const { client, transport } = scripted();
    expect(await client.connect("c1", "w", 3, false, "m")).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_INVALID_ARGUMENT");
    expect(client.lastError()?.causeCode).toBe("MQTT_ERR_INVALID_PACKET");
    expect(transport.writes).toHaveLength(0);
  });

  it("a second connect() while one is pending returns the same promise", async () => {
    const { client, transport } = scripted();
    transport.expect(CONNECT_C1);
    const first = client.connect("c1");
    const second = client.connect("c1");
    expect(second).toBe(first);
    await turns();
    transport.inject(CONNACK_ACCEPTED);
    expect(await first).toBe(true);
  });

  it("the (server, port, client, stream) constructor sets the stream", async () => {
    const streamed: number[] = [];
    const transport = new ScriptedTransport();
    const stream = { write: (bytes: Uint8Array) => streamed.push(...bytes) };
    const client = new PubSubClient("h", 1, transport, stream);
    transport.expect(CONNECT_C1).respond(CONNACK_ACCEPTED).respond(hex`30 05 00 01 74 6f 6b`);
    await client.connect("c1");
    client.loop();
    expect(streamed).toEqual([0x6f, 0x6b]);
  });
});
