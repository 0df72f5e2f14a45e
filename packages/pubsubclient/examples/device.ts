/*
 A connected thermometer, as it would run on a board.

  - connects with a last will: retained "OFF" on home/devices/<id>/status, which the broker
    publishes if the device vanishes without saying goodbye (power cut, crash, kill -9);
  - right after each connect, publishes retained "ON" to the same topic, so that subscribers,
    including ones that arrive later, know whether the device is alive;
  - publishes its (simulated) temperature to home/devices/<id>/temperature every few seconds;
  - reconnects without blocking its loop, like reconnect-nonblocking.ts;
  - on a clean shutdown (Ctrl-C), publishes retained "OFF" itself and disconnects: the broker
    discards the will on DISCONNECT, so the status must be set by hand.
*/
import { millis, PubSubClient, TcpClient } from "@ternmq/pubsubclient";
import type { ExampleOptions, ExampleSketch } from "./example.js";
import { createSerial } from "./serial.js";

export interface DeviceOptions extends ExampleOptions {
  /** Client id and topic level (`home/devices/<id>/...`); default "device1". */
  readonly id?: string;
  /** Time between temperature readings; default 5000 ms. */
  readonly temperatureIntervalMs?: number;
  /** Time between reconnect attempts; default 5000 ms. */
  readonly reconnectIntervalMs?: number;
  /** Whether to print each reading (the simulator turns it off and prints a summary). */
  readonly printReadings?: boolean;
}

export interface DeviceSketch extends ExampleSketch {
  readonly id: string;
  readonly client: PubSubClient;
  /** Temperature readings published so far. */
  readonly readingsPublished: number;
  shutdown(): void;
}

/** Degrees Celsius the simulated room drifts around, and how far. */
const comfortTemperature = 21;
const maximumDrift = 3;

export function createDeviceSketch({
  host,
  port,
  writeLine,
  id = "device1",
  temperatureIntervalMs = 5000,
  reconnectIntervalMs = 5000,
  printReadings = true,
}: DeviceOptions): DeviceSketch {
  const Serial = createSerial(writeLine);
  const statusTopic = `home/devices/${id}/status`;
  const temperatureTopic = `home/devices/${id}/temperature`;

  const client = new PubSubClient(new TcpClient());

  // A negative start makes the first attempt immediate (a device should not wait 5 s at boot).
  let lastReconnectAttempt = -reconnectIntervalMs;
  let lastReading = -temperatureIntervalMs;
  let readingsPublished = 0;
  let temperature = comfortTemperature;
  let state: "running" | "shut down" = "running";

  /** A random walk that stays within maximumDrift of the comfort temperature. */
  function readTemperature(): number {
    const step = (Math.random() - 0.5) * 0.4;
    const drifted = Math.min(
      maximumDrift,
      Math.max(-maximumDrift, temperature + step - comfortTemperature),
    );
    temperature = comfortTemperature + drifted;
    return Math.round(temperature * 10) / 10;
  }

  async function reconnect(): Promise<boolean> {
    // Will: QoS 1, retained "OFF" on the status topic.
    if (await client.connect(id, statusTopic, 1, true, "OFF")) {
      client.publish(statusTopic, "ON", true);
      Serial.print(id);
      Serial.println(" connected, status ON");
    } else {
      Serial.print(id);
      Serial.print(" connect failed, rc=");
      Serial.println(client.state());
    }
    return client.connected();
  }

  function setup(): void {
    client.setServer(host, port);
  }

  async function loop(): Promise<void> {
    if (state === "shut down") return;
    const now = millis();
    if (!client.connected()) {
      if (now - lastReconnectAttempt > reconnectIntervalMs) {
        lastReconnectAttempt = now;
        await reconnect();
      }
      return;
    }
    client.loop();
    if (now - lastReading >= temperatureIntervalMs) {
      lastReading = now;
      const reading = readTemperature().toFixed(1);
      if (client.publish(temperatureTopic, reading)) {
        readingsPublished += 1;
        if (printReadings) {
          Serial.print(temperatureTopic);
          Serial.print(" ");
          Serial.println(reading);
        }
      }
    }
  }

  /** Says goodbye (retained "OFF", DISCONNECT) and stops reconnecting. */
  function shutdown(): void {
    state = "shut down";
    if (!client.connected()) return;
    client.publish(statusTopic, "OFF", true);
    client.disconnect();
  }

  return {
    id,
    client,
    get readingsPublished() {
      return readingsPublished;
    },
    setup,
    loop,
    shutdown,
  };
}
