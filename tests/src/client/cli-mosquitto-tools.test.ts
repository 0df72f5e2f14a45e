/**
 * `ternmq pub` -> `mosquitto_sub` and `mosquitto_pub` -> `ternmq sub` through a real mosquitto
 * (started once for the file on an OS-assigned port): the CLI and Debian's libmosquitto tools
 * agree on QoS, retain flags, payload bytes and -l lines. Processes are killed after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CliProcesses } from "../../../apps/cli/test/helpers/cli-process.js";
import { type RunningMosquitto, startMosquitto } from "../helpers/mosquitto-broker.js";
import { MosquittoClients, messageFormat } from "../helpers/mosquitto-clients.js";

/** `mosquitto_sub -d` prints this once the broker has acknowledged the subscription. */
const subscribed = /^Subscribed \(mid: \d+\):/;
const waitMs = 20_000;

let mosquitto: RunningMosquitto;
const cli = new CliProcesses();
const tools = new MosquittoClients();

beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(() => mosquitto.close());
afterEach(async () => {
  await cli.killAll();
  await tools.killAll();
});

const server = () => ["-h", "127.0.0.1", "-p", String(mosquitto.port)];

describe("ternmq pub | sub with mosquitto_pub | mosquitto_sub", { timeout: 40_000 }, () => {
  it("ternmq pub at QoS 0, 1 and 2 (one retained) -> mosquitto_sub -q 2", async () => {
    const subscriber = tools.sub([
      ...server(),
      "-d",
      "-F",
      messageFormat,
      "-t",
      "to-tool/#",
      "-q",
      "2",
      "-C",
      "3",
    ]);
    await subscriber.waitForLine(subscribed, waitMs);
    for (const qos of [0, 1, 2]) {
      const retain = qos === 1 ? ["-r"] : [];
      const exit = await cli.run([
        "pub",
        ...server(),
        "-t",
        `to-tool/q${qos}`,
        "-q",
        String(qos),
        "-m",
        `from ternmq ${qos}`,
        ...retain,
      ]);
      expect(exit).toMatchObject({ code: 0, stderr: "" });
    }
    expect(await subscriber.waitForMessages(3, waitMs)).toEqual(
      [0, 1, 2].map((qos) => ({
        topic: `to-tool/q${qos}`,
        qos,
        // [MQTT-3.3.1-9] A live message is forwarded with retain 0, even if it was retained.
        retain: false,
        payload: `from ternmq ${qos}`,
      })),
    );
    // [MQTT-3.3.1-8] ... and a new subscription gets it with retain 1.
    const late = tools.sub([...server(), "-F", messageFormat, "-t", "to-tool/q1", "-C", "1"]);
    expect(await late.waitForMessages(1, waitMs)).toEqual([
      { topic: "to-tool/q1", qos: 0, retain: true, payload: "from ternmq 1" },
    ]);
  });

  it("ternmq pub -l -> mosquitto_sub: one message per stdin line", async () => {
    const subscriber = tools.sub([
      ...server(),
      "-d",
      "-F",
      messageFormat,
      "-t",
      "lines",
      "-q",
      "1",
      "-C",
      "3",
    ]);
    await subscriber.waitForLine(subscribed, waitMs);
    const exit = await cli.run(["pub", ...server(), "-t", "lines", "-q", "1", "-l"], {
      stdin: "alpha\nbeta\ngamma\n",
    });
    expect(exit.code).toBe(0);
    expect((await subscriber.waitForMessages(3, waitMs)).map((message) => message.payload)).toEqual(
      ["alpha", "beta", "gamma"],
    );
  });

  it("mosquitto_pub at QoS 0, 1 and 2 -> ternmq sub -v -q 2 -C 3, then a retained one", async () => {
    const subscriber = await cli.subscribed([
      ...server(),
      "-t",
      "from-tool/#",
      "-q",
      "2",
      "-v",
      "-C",
      "3",
    ]);
    for (const qos of [0, 1, 2]) {
      await tools.pub([
        ...server(),
        "-t",
        `from-tool/q${qos}`,
        "-q",
        String(qos),
        "-m",
        `from mosquitto ${qos}`,
      ]);
    }
    const exit = await subscriber.waitForExit(waitMs);
    expect(exit.code).toBe(0);
    expect(subscriber.lines).toEqual(
      [0, 1, 2].map((qos) => `from-tool/q${qos} from mosquitto ${qos}`),
    );
    expect(subscriber.stderr).toMatch(/received from-tool\/q2 \(QoS 2, 16 bytes\)/);

    await tools.pub([...server(), "-t", "from-tool/retained", "-q", "1", "-r", "-m", "kept"]);
    const late = await cli.run([
      "sub",
      ...server(),
      "-t",
      "from-tool/retained",
      "-C",
      "1",
      "-W",
      "10",
    ]);
    expect(late.code).toBe(0);
    expect(late.stdout.toString()).toBe("kept\n");
  });
});
