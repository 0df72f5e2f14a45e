/**
 * Debian's `mosquitto_pub` / `mosquitto_sub` (libmosquitto, a third-party C client) against a
 * TernMQ broker: QoS 0/1/2, retained messages, wills, persistent sessions, $SYS, and the
 * MQTT 3.1 and 3.1.1 protocol versions. Every process is SIGKILLed after each test.
 */
import type { QoS } from "@ternmq/codec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../helpers/broker.js";
import { MosquittoClients, messageFormat } from "../helpers/mosquitto-clients.js";
import { MqttJsClientPool } from "../helpers/mqttjs-clients.js";
import { sleep } from "../helpers/with-timeout.js";

const qosLevels: readonly QoS[] = [0, 1, 2];
/** `mosquitto_sub -d` prints this once the broker has acknowledged the subscription. */
const subscribed = /^Subscribed \(mid: \d+\):/;

let running: RunningBroker;
const mosquitto = new MosquittoClients();
const mqttjs = new MqttJsClientPool();

beforeEach(async () => {
  running = await startBroker({ sysInterval: 1 });
});

afterEach(async () => {
  await mosquitto.killAll();
  await mqttjs.closeAll();
  await running.close();
});

const server = () => ["-h", "127.0.0.1", "-p", String(running.port)];

/** Starts a debug-mode `mosquitto_sub` printing {@link messageFormat} and waits for its SUBACK. */
async function subscribe(args: readonly string[]) {
  const subscriber = mosquitto.sub([...server(), "-d", "-F", messageFormat, ...args]);
  const line = await subscriber.waitForLine(subscribed);
  return { subscriber, grantedLine: line };
}

describe("mosquitto_pub / mosquitto_sub 3.1.1", () => {
  for (const subscribeQoS of qosLevels) {
    it(`[MQTT-3.8.4-6] QoS 0, 1 and 2 publishes reach a QoS ${subscribeQoS} subscriber at min(publish, granted)`, async () => {
      const { subscriber, grantedLine } = await subscribe([
        "-V",
        "mqttv311",
        "-t",
        "cli/#",
        "-q",
        String(subscribeQoS),
        "-C",
        "3",
        "-W",
        "10",
      ]);
      expect(grantedLine).toMatch(new RegExp(`: ${subscribeQoS}$`));
      for (const qos of qosLevels) {
        await mosquitto.pub([
          ...server(),
          "-V",
          "mqttv311",
          "-t",
          `cli/q${qos}`,
          "-q",
          String(qos),
          "-m",
          `payload ${qos}`,
        ]);
      }
      const messages = await subscriber.waitForMessages(3);
      expect(messages).toEqual(
        qosLevels.map((qos) => ({
          topic: `cli/q${qos}`,
          qos: Math.min(qos, subscribeQoS),
          retain: false,
          payload: `payload ${qos}`,
        })),
      );
      const exit = await subscriber.waitForExit();
      expect(exit.code).toBe(0);
    });
  }

  it("[MQTT-3.8.4-6] an MQTT.js QoS 2 publish reaches mosquitto_sub, and mosquitto_pub reaches MQTT.js", async () => {
    const { subscriber } = await subscribe(["-t", "mixed/to-cli", "-q", "2", "-C", "1"]);
    const jsClient = await mqttjs.connect(running.port);
    await jsClient.client.subscribeAsync("mixed/to-js", { qos: 2 });
    await jsClient.client.publishAsync("mixed/to-cli", "from MQTT.js", { qos: 2 });
    await mosquitto.pub([...server(), "-t", "mixed/to-js", "-q", "2", "-m", "from mosquitto_pub"]);
    const [toCli] = await subscriber.waitForMessages(1);
    const [toJs] = await jsClient.waitForMessages(1);
    expect(toCli).toEqual({
      topic: "mixed/to-cli",
      qos: 2,
      retain: false,
      payload: "from MQTT.js",
    });
    expect(toJs).toMatchObject({ topic: "mixed/to-js", qos: 2, payload: "from mosquitto_pub" });
  });

  it("[MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message (-r) reaches a later wildcard subscriber with the retain flag", async () => {
    await mosquitto.pub([...server(), "-t", "cli-retained/a", "-q", "1", "-r", "-m", "kept"]);
    const { subscriber } = await subscribe([
      "-t",
      "cli-retained/#",
      "-q",
      "1",
      "-C",
      "1",
      "-W",
      "5",
    ]);
    const [message] = await subscriber.waitForMessages(1);
    expect(message).toEqual({ topic: "cli-retained/a", qos: 1, retain: true, payload: "kept" });
  });

  it("[MQTT-3.3.1-10] an empty retained message (-n -r) deletes the retained message", async () => {
    await mosquitto.pub([...server(), "-t", "cli-deleted/a", "-q", "1", "-r", "-m", "gone soon"]);
    await mosquitto.pub([...server(), "-t", "cli-deleted/a", "-q", "1", "-r", "-n"]);
    const { subscriber } = await subscribe(["-t", "cli-deleted/#", "-q", "1", "-W", "10"]);
    await sleep(300);
    await mosquitto.pub([...server(), "-t", "cli-deleted/marker", "-q", "1", "-m", "marker"]);
    await subscriber.waitForMessages(1);
    expect(subscriber.messages).toEqual([
      { topic: "cli-deleted/marker", qos: 1, retain: false, payload: "marker" },
    ]);
  });

  it("[MQTT-3.1.2-8] the will of a SIGKILLed mosquitto_sub is published with its QoS", async () => {
    const { subscriber: watcher } = await subscribe(["-t", "cli-will/#", "-q", "2", "-W", "10"]);
    const { subscriber: victim } = await subscribe([
      "-t",
      "cli-will/unused",
      "--will-topic",
      "cli-will/victim",
      "--will-payload",
      "killed",
      "--will-qos",
      "1",
    ]);
    victim.kill("SIGKILL");
    const [will] = await watcher.waitForMessages(1);
    expect(will).toEqual({ topic: "cli-will/victim", qos: 1, retain: false, payload: "killed" });
  });

  it("[MQTT-3.1.2-24] [MQTT-3.1.2-8] a SIGSTOPped mosquitto_sub (-k 5) is dropped after 1.5 x keepalive and its will published", async () => {
    const { subscriber: watcher } = await subscribe(["-t", "cli-will3/#", "-q", "1", "-W", "15"]);
    const { subscriber: frozen } = await subscribe([
      "-k",
      "5", // mosquitto_sub's minimum
      "-t",
      "cli-will3/unused",
      "--will-topic",
      "cli-will3/frozen",
      "--will-payload",
      "timed out",
    ]);
    const stoppedAt = Date.now();
    frozen.kill("SIGSTOP"); // the socket stays open, but no PINGREQ is sent any more
    const [will] = await watcher.waitForMessages(1, 10_000);
    expect(will).toEqual({
      topic: "cli-will3/frozen",
      qos: 0,
      retain: false,
      payload: "timed out",
    });
    // 1.5 x 5 s after its last packet, the SUBSCRIBE just before the stop (no PINGREQ yet).
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(7000);
  }, 15_000);

  it("[MQTT-3.14.4-3] the will of a mosquitto_sub that exits normally (DISCONNECT) is not published", async () => {
    const { subscriber: watcher } = await subscribe(["-t", "cli-will2/#", "-q", "1", "-W", "10"]);
    const { subscriber: leaver } = await subscribe([
      "-t",
      "cli-will2/stop",
      "-C",
      "1",
      "--will-topic",
      "cli-will2/leaver",
      "--will-payload",
      "must not appear",
    ]);
    await mosquitto.pub([...server(), "-t", "cli-will2/stop", "-q", "1", "-m", "stop"]);
    expect((await leaver.waitForExit()).code).toBe(0);
    await sleep(300);
    await mosquitto.pub([...server(), "-t", "cli-will2/marker", "-q", "1", "-m", "marker"]);
    await watcher.waitForMessages(2);
    expect(watcher.messages.map((message) => message.topic)).toEqual([
      "cli-will2/stop",
      "cli-will2/marker",
    ]);
  });

  it("[MQTT-3.1.2-5] a persistent mosquitto_sub (-c -i) receives on reconnect what was published while it was away", async () => {
    const persistent = ["-c", "-i", "cli-persistent", "-t", "cli-persist/#", "-q", "2"];
    // -E: exit (with DISCONNECT) once the subscription is acknowledged.
    const first = mosquitto.sub([...server(), ...persistent, "-E"]);
    expect((await first.waitForExit()).code).toBe(0);
    for (const [index, qos] of [1, 2, 1, 2].entries()) {
      await mosquitto.pub([
        ...server(),
        "-t",
        "cli-persist/t",
        "-q",
        String(qos),
        "-m",
        `queued ${index}`,
      ]);
    }
    const second = mosquitto.sub([
      ...server(),
      ...persistent,
      "-F",
      messageFormat,
      "-C",
      "4",
      "-W",
      "10",
    ]);
    const messages = await second.waitForMessages(4);
    // libmosquitto prints a QoS 2 message on PUBREL, so order is checked per QoS level.
    for (const qos of [1, 2]) {
      expect(messages.filter((message) => message.qos === qos)).toEqual(
        [0, 1, 2, 3]
          .filter((index) => index % 2 === qos - 1)
          .map((index) => ({
            topic: "cli-persist/t",
            qos,
            retain: false,
            payload: `queued ${index}`,
          })),
      );
    }
    expect(messages).toHaveLength(4);
  });

  it("[$SYS] $SYS/broker/version is readable with mosquitto_sub -v", async () => {
    const reader = mosquitto.sub([
      ...server(),
      "-t",
      "$SYS/broker/version",
      "-C",
      "1",
      "-W",
      "5",
      "-v",
    ]);
    const exit = await reader.waitForExit();
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/^\$SYS\/broker\/version \S.*\n$/);
  });
});

describe("mosquitto_pub / mosquitto_sub protocol versions", () => {
  it("[MQTT-3.1.2-2] -V mqttv5 is refused with CONNACK 0x84 (unsupported protocol version)", async () => {
    const refused = mosquitto.sub([...server(), "-V", "mqttv5", "-t", "v5/refused", "-d"]);
    const exit = await refused.waitForExit();
    expect(exit.code).not.toBe(0);
    expect(exit.stdout).toMatch(/received CONNACK \(132\)/);
  });

  for (const version of ["mqttv31", "mqttv311"]) {
    it(`[MQTT 3.1/3.1.1] -V ${version} clients exchange a QoS 2 message`, async () => {
      const { subscriber, grantedLine } = await subscribe([
        "-V",
        version,
        "-t",
        `ver/${version}`,
        "-q",
        "2",
        "-C",
        "1",
        "-W",
        "5",
      ]);
      expect(grantedLine).toMatch(/: 2$/);
      await mosquitto.pub([
        ...server(),
        "-V",
        version,
        "-t",
        `ver/${version}`,
        "-q",
        "2",
        "-m",
        version,
      ]);
      const [message] = await subscriber.waitForMessages(1);
      expect(message).toEqual({ topic: `ver/${version}`, qos: 2, retain: false, payload: version });
    });
  }
});
