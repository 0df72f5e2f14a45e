/*
 Basic MQTT example: PubSubClient's mqtt_basic sketch, ported line by line.

 It connects to an MQTT server then:
  - publishes "hello world" to the topic "outTopic"
  - subscribes to the topic "inTopic", printing out any messages it receives.
    NB - it assumes the received payloads are strings not binary

 It will reconnect to the server if the connection is lost using a blocking reconnect function
 (blocking the sketch, not Node: the retry waits with `await delay()`). See
 reconnect-nonblocking.ts for how to achieve the same result without blocking the main loop.

 Differences from the C++ original, all forced by the platform:
  - connect() returns a Promise, so reconnect() and loop() are async and await it;
  - the server, port and the Serial sink are parameters, so that a test can run the sketch;
  - there is no Ethernet.begin()/delay(1500): a TCP stack needs no settling time.
*/
import { delay, PubSubClient, TcpClient } from "@ternmq/pubsubclient";
import type { ExampleOptions, ExampleSketch } from "./example.js";
import { createSerial } from "./serial.js";

export interface BasicSketch extends ExampleSketch {
  readonly client: PubSubClient;
}

export function createBasicSketch({
  host,
  port,
  writeLine,
  retryDelayMs = 5000,
}: ExampleOptions & { retryDelayMs?: number }): BasicSketch {
  const Serial = createSerial(writeLine);

  function callback(topic: string, payload: Uint8Array, length: number): void {
    Serial.print("Message arrived [");
    Serial.print(topic);
    Serial.print("] ");
    for (let i = 0; i < length; i++) {
      Serial.print(String.fromCharCode(payload[i] ?? 0));
    }
    Serial.println();
  }

  const ethClient = new TcpClient();
  const client = new PubSubClient(ethClient);

  async function reconnect(): Promise<void> {
    // Loop until we're reconnected
    while (!client.connected()) {
      Serial.print("Attempting MQTT connection...");
      // Attempt to connect
      if (await client.connect("arduinoClient")) {
        Serial.println("connected");
        // Once connected, publish an announcement...
        client.publish("outTopic", "hello world");
        // ... and resubscribe
        client.subscribe("inTopic");
      } else {
        Serial.print("failed, rc=");
        Serial.print(client.state());
        Serial.println(" try again in 5 seconds");
        // Wait 5 seconds before retrying
        await delay(retryDelayMs);
      }
    }
  }

  function setup(): void {
    client.setServer(host, port);
    client.setCallback(callback);
  }

  async function loop(): Promise<void> {
    if (!client.connected()) {
      await reconnect();
    }
    client.loop();
  }

  return { setup, loop, client };
}
