/**
 * PubSubClient's own calls end to end, against our broker and a real mosquitto: QoS 1 delivery
 * to the callback (acknowledged, so a persistent session does not redeliver it), publishing
 * from inside the callback, payloads larger than the buffer, keepalive, and the CONNACK
 * refusal that `state()` reports.
 */
import {
  MQTT_CONNECT_BAD_CLIENT_ID,
  MQTT_CONNECT_UNAUTHORIZED,
  MQTT_CONNECTED,
  MQTT_CONNECTION_LOST,
  MQTT_DISCONNECTED,
  type MqttCallback,
  PubSubClient,
  TcpClient,
} from "@ternmq/pubsubclient";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep, waitUntil } from "../helpers/with-timeout.js";
import { brokersUnderTest, type TestBroker } from "./brokers.js";
import { publishUntil } from "./publish-until.js";
import { RunningSketches } from "./running-sketches.js";

// Every wait below is bounded by its own, shorter timeout with a readable message; this is
// the backstop for a test's sum of waits on a loaded 2-core machine.
vi.setConfig({ testTimeout: 15_000 });

const host = "127.0.0.1";
const waitMs = 4000;
/** How long "nothing more arrives" is watched for. */
const quietPeriodMs = 300;
const topic = "sensors/qos1";
/** Bound of the wait for a server to drop a client whose keepalive (1 s) has expired. */
const keepaliveDropMs = 9000;

/** Runs `client.loop()` as a sketch's loop would, until the test's `stopAll()`. */
function keepLooping(sketches: RunningSketches, client: PubSubClient): void {
  sketches.start({ setup: () => {}, loop: () => void client.loop() }, [client]);
}

interface Received {
  topic: string;
  payload: string;
  length: number;
}

describe.each(brokersUnderTest)("PubSubClient against $name", (brokerUnderTest) => {
  let broker: TestBroker;
  /** The broker of the current test, if it started (afterEach closes it once). */
  let started: TestBroker | undefined;
  const sketches = new RunningSketches();
  const mqttjs = new MqttJsClientPool();

  beforeEach(async () => {
    broker = await brokerUnderTest.start();
    started = broker;
  });

  afterEach(async () => {
    try {
      await sketches.stopAll();
    } finally {
      await mqttjs.closeAll();
      await started?.close();
      started = undefined;
    }
  });

  /** A PubSubClient (server, port, callback, client constructor) whose callback records. */
  function recordingClient(
    onMessage: (client: PubSubClient, received: Received) => void = () => {},
  ): { client: PubSubClient; received: Received[] } {
    const received: Received[] = [];
    const client: PubSubClient = new PubSubClient(
      host,
      broker.port,
      (receivedTopic, payload, length) => {
        const message = {
          topic: receivedTopic,
          payload: new TextDecoder().decode(payload.subarray(0, length)),
          length,
        };
        received.push(message);
        onMessage(client, message);
      },
      new TcpClient(),
    );
    return { client: sketches.track(client), received };
  }

  /** connect(id, user, pass, willTopic, willQos, willRetain, willMessage, cleanSession=false). */
  const connectPersistent = (client: PubSubClient) =>
    client.connect("qos1-sketch", null, null, null, 0, false, null, false);

  it("[MQTT-4.3.2-4] QoS 1 messages reach the callback once each, in order, and are acknowledged", async () => {
    const { client, received } = recordingClient();
    expect(await connectPersistent(client)).toBe(true);
    expect(client.subscribe(topic, 1)).toBe(true);
    keepLooping(sketches, client);

    const publisher = await mqttjs.connect(broker.port);
    await publishUntil(
      publisher,
      topic,
      "probe",
      () => received.length > 0,
      () => "the QoS 1 subscription to take effect",
      { qos: 1 },
    );
    await sleep(quietPeriodMs);
    received.length = 0;

    const payloads = ["m1", "m2", "m3", "m4", "twenty-two bytes long!"];
    for (const payload of payloads) await publisher.client.publishAsync(topic, payload, { qos: 1 });
    await waitUntil(
      () => received.length >= payloads.length,
      waitMs,
      () => `${payloads.length} messages; got ${JSON.stringify(received)}`,
    );
    expect(received).toEqual(
      payloads.map((payload) => ({ topic, payload, length: payload.length })),
    );

    // Had any PUBACK been missing, the broker would resend that message to the resumed
    // session [MQTT-4.4.0-1]; only the message published while away may arrive.
    client.disconnect();
    expect(client.state()).toBe(MQTT_DISCONNECTED);
    await publisher.client.publishAsync(topic, "while away", { qos: 1 });
    received.length = 0;
    expect(await connectPersistent(client)).toBe(true);
    await waitUntil(
      () => received.length >= 1,
      waitMs,
      () => "the message queued for the persistent session",
    );
    await sleep(quietPeriodMs);
    expect(received).toEqual([{ topic, payload: "while away", length: 10 }]);
    expect(client.state()).toBe(MQTT_CONNECTED);
  });

  it("[MQTT-3.1.3-8] a persistent session with an empty client id is refused: state() is MQTT_CONNECT_BAD_CLIENT_ID", async () => {
    const { client } = recordingClient();
    expect(await client.connect("", null, null, null, 0, false, null, false)).toBe(false);
    expect(client.state()).toBe(MQTT_CONNECT_BAD_CLIENT_ID);
    expect(client.connected()).toBe(false);
    expect(client.lastError()?.code).toBe("PUBSUB_ERR_CONNECTION_REFUSED");
  });
});

describe.each(brokersUnderTest)("PubSubClient credentials against $name", (brokerUnderTest) => {
  let broker: TestBroker;
  /** The broker of the current test, if it started (afterEach closes it once). */
  let started: TestBroker | undefined;
  const clients: PubSubClient[] = [];

  beforeEach(async () => {
    broker = await brokerUnderTest.startWithUsers({ alice: "correct horse" });
    started = broker;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await started?.close();
    started = undefined;
  });

  const newClient = () => {
    const client = new PubSubClient(host, broker.port, new TcpClient());
    clients.push(client);
    return client;
  };

  it("connect(id, user, pass) succeeds with the right password; a wrong one sets state() to the CONNACK code", async () => {
    const accepted = newClient();
    expect(await accepted.connect("alice-1", "alice", "correct horse")).toBe(true);
    expect(accepted.state()).toBe(MQTT_CONNECTED);

    const refused = newClient();
    expect(await refused.connect("alice-2", "alice", "wrong")).toBe(false);
    expect(refused.state()).toBe(brokerUnderTest.wrongPasswordState);
    expect(refused.lastError()?.code).toBe("PUBSUB_ERR_CONNECTION_REFUSED");
    expect(refused.connected()).toBe(false);

    const anonymous = newClient();
    expect(await anonymous.connect("nobody")).toBe(false);
    expect(anonymous.state()).toBe(MQTT_CONNECT_UNAUTHORIZED);
  });
});

describe.each(brokersUnderTest)(
  "PubSubClient payloads and keepalive against $name",
  (brokerUnderTest) => {
    let broker: TestBroker;
    /** The broker of the current test, if it started (afterEach closes it once). */
    let started: TestBroker | undefined;
    const sketches = new RunningSketches();
    const mqttjs = new MqttJsClientPool();

    beforeEach(async () => {
      broker = await brokerUnderTest.start();
      started = broker;
    });

    afterEach(async () => {
      try {
        await sketches.stopAll();
      } finally {
        await mqttjs.closeAll();
        await started?.close();
        started = undefined;
      }
    });

    /** A connected client whose loop runs; `callback` is its message callback. */
    async function startClient(id: string, callback?: MqttCallback): Promise<PubSubClient> {
      const client = new PubSubClient(new TcpClient()).setServer(host, broker.port);
      if (callback !== undefined) client.setCallback(callback);
      sketches.track(client);
      expect(await client.connect(id)).toBe(true);
      return client;
    }

    it("publishing from inside the callback does not corrupt the payload being read (2.8 bug #443)", async () => {
      const echoes: string[] = [];
      const client: PubSubClient = await startClient("echo", (_topic, payload, length) => {
        // Publish a longer message first: with 2.8's single buffer this overwrote `payload`.
        client.publish("echo/noise", "x".repeat(200));
        const text = new TextDecoder().decode(payload.subarray(0, length));
        echoes.push(text);
        client.publish("echo/out", text);
      });
      expect(client.subscribe("echo/in")).toBe(true);
      keepLooping(sketches, client);
      const listener = await mqttjs.connect(broker.port);
      await listener.client.subscribeAsync("echo/out", { qos: 0 });
      const publisher = await mqttjs.connect(broker.port);
      await publishUntil(
        publisher,
        "echo/in",
        "first",
        () => echoes.length > 0,
        () => "the echo subscription to take effect",
      );
      await publisher.client.publishAsync("echo/in", "a short payload", { qos: 0 });
      await waitUntil(
        () => listener.messages.some((message) => message.payload === "a short payload"),
        waitMs,
        () => `the echo; got ${JSON.stringify(listener.messages)}`,
      );
      expect(echoes.at(-1)).toBe("a short payload");
    });

    it("beginPublish/write/endPublish sends a payload four times the buffer size intact", async () => {
      const client = await startClient("large");
      const listener = await mqttjs.connect(broker.port);
      await listener.client.subscribeAsync("large/t", { qos: 0 });
      const payload = new Uint8Array(4 * client.getBufferSize());
      for (let index = 0; index < payload.length; index++) payload[index] = 65 + (index % 26);
      // publish() refuses it (2.8: it does not fit the buffer) and says why.
      expect(client.publish("large/t", payload)).toBe(false);
      expect(client.lastError()?.code).toBe("PUBSUB_ERR_PACKET_TOO_LARGE");
      expect(client.beginPublish("large/t", payload.length, false)).toBe(true);
      for (let offset = 0; offset < payload.length; offset += 100) {
        const chunk = payload.subarray(offset, offset + 100);
        expect(client.write(chunk)).toBe(chunk.length);
      }
      expect(client.endPublish()).toBe(1);
      const [message] = await listener.waitForMessages(1, waitMs);
      expect(message?.payload).toBe(new TextDecoder().decode(payload));
      expect(client.connected()).toBe(true);
    });

    it("a received message larger than the buffer is dropped (as in 2.8) and the next one arrives", async () => {
      const received: string[] = [];
      const client = await startClient("small-buffer", (_topic, payload, length) => {
        received.push(new TextDecoder().decode(payload.subarray(0, length)));
      });
      expect(client.subscribe("sized/#")).toBe(true);
      keepLooping(sketches, client);
      const publisher = await mqttjs.connect(broker.port);
      await publishUntil(
        publisher,
        "sized/probe",
        "probe",
        () => received.length > 0,
        () => "the subscription to take effect",
      );
      received.length = 0;
      await publisher.client.publishAsync("sized/big", "B".repeat(1000), { qos: 1 });
      await publisher.client.publishAsync("sized/small", "after", { qos: 1 });
      await waitUntil(
        () => received.length > 0,
        waitMs,
        () => "the small message after the big one",
      );
      expect(received).toEqual(["after"]);
      expect(client.lastError()?.code).toBe("PUBSUB_ERR_RECEIVED_PACKET_TOO_LARGE");
      expect(client.connected()).toBe(true);

      // With room for it, the same message is delivered whole.
      expect(client.setBufferSize(2048)).toBe(true);
      received.length = 0;
      await publisher.client.publishAsync("sized/big", "B".repeat(1000), { qos: 1 });
      await waitUntil(
        () => received.length > 0,
        waitMs,
        () => "the big message",
      );
      expect(received).toEqual(["B".repeat(1000)]);
    });

    it("[MQTT-3.1.2-24] loop() keeps an idle connection alive with PINGREQ; without loop() the server drops it", async () => {
      const looping = new PubSubClient(new TcpClient())
        .setServer(host, broker.port)
        .setKeepAlive(1);
      const idle = new PubSubClient(new TcpClient()).setServer(host, broker.port).setKeepAlive(1);
      sketches.track(looping);
      sketches.track(idle);
      expect(await looping.connect("keepalive-looping")).toBe(true);
      expect(await idle.connect("keepalive-idle")).toBe(true);
      keepLooping(sketches, looping);
      // The server closes after 1.5 x keepalive without a packet [MQTT-3.1.2-24]; mosquitto
      // checks keepalives only every few seconds (about 5 s after connect here).
      await waitUntil(
        () => !idle.connected(),
        keepaliveDropMs,
        () => "the server to drop the client that never calls loop()",
      );
      expect(idle.state()).toBe(MQTT_CONNECTION_LOST);
      // Another 1.5 x keepalive: without its PINGREQs the looping client would be gone too.
      await sleep(1500);
      expect(looping.connected()).toBe(true);
      expect(looping.state()).toBe(MQTT_CONNECTED);
    });
  },
);
