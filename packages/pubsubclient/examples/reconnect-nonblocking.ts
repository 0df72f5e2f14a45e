/*
 Reconnecting MQTT example - non-blocking: PubSubClient's mqtt_reconnect_nonblocking sketch,
 ported line by line.

 This sketch demonstrates how to keep the client connected using a non-blocking reconnect
 function. If the client loses its connection, it attempts to reconnect every 5 seconds
 without blocking the main loop.

 Differences from the C++ original:
  - connect() returns a Promise, so reconnect() and loop() are async and await it (one attempt
    takes as long as one TCP connect + CONNACK; the 5 s between attempts never blocks);
  - the server, port, reconnect interval and Serial sink are parameters, so a test can run the
    sketch in-process with a short interval;
  - the original's callback is empty ("handle message arrived") and it prints nothing; this
    port prints each message and each attempt, so that a person running it sees it work.
  - as on a board, millis() starts at 0, so the first attempt comes one interval after start.
*/
import { millis, PubSubClient, TcpClient } from "@ternmq/pubsubclient";
import type { ExampleOptions, ExampleSketch } from "./example.js";
import { createSerial } from "./serial.js";

export interface ReconnectNonblockingSketch extends ExampleSketch {
  readonly client: PubSubClient;
}

export function createReconnectNonblockingSketch({
  host,
  port,
  writeLine,
  reconnectIntervalMs = 5000,
}: ExampleOptions & { reconnectIntervalMs?: number }): ReconnectNonblockingSketch {
  const Serial = createSerial(writeLine);

  function callback(topic: string, payload: Uint8Array, length: number): void {
    // handle message arrived
    Serial.print("Message arrived [");
    Serial.print(topic);
    Serial.print("] ");
    Serial.println(new TextDecoder().decode(payload.subarray(0, length)));
  }

  const ethClient = new TcpClient();
  const client = new PubSubClient(ethClient);

  let lastReconnectAttempt = 0;

  async function reconnect(): Promise<boolean> {
    if (await client.connect("arduinoClient")) {
      Serial.println("connected");
      // Once connected, publish an announcement...
      client.publish("outTopic", "hello world");
      // ... and resubscribe
      client.subscribe("inTopic");
    } else {
      Serial.print("connect failed, rc=");
      Serial.println(client.state());
    }
    return client.connected();
  }

  function setup(): void {
    client.setServer(host, port);
    client.setCallback(callback);
    lastReconnectAttempt = 0;
  }

  async function loop(): Promise<void> {
    if (!client.connected()) {
      const now = millis();
      if (now - lastReconnectAttempt > reconnectIntervalMs) {
        lastReconnectAttempt = now;
        // Attempt to reconnect
        if (await reconnect()) {
          lastReconnectAttempt = 0;
        }
      }
      client.loop();
    } else {
      // Client connected

      client.loop();
    }
  }

  return { setup, loop, client };
}
