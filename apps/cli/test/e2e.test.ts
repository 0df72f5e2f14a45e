/**
 * `ternmq pub` and `ternmq sub` as real processes (from source, via tsx) against our broker and
 * against a real mosquitto, each started per test on an OS-assigned port: what a user sees on
 * stdout and stderr, and the exit codes. Every process and broker is stopped after each test.
 * The basic flows run against both brokers, the rest against ours: each process start costs
 * about a second, so the details (payload sources, -W, denied subscriptions...) are tested in
 * commands.test.ts in-process, and tests/src/client checks ternmq with mosquitto_pub/_sub.
 */
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Certificates,
  makeCertificates,
  removeCertificates,
} from "../../../packages/broker/test/listeners/certificates.js";
import { startBroker } from "../../../tests/src/helpers/broker.js";
import { startMosquitto } from "../../../tests/src/helpers/mosquitto-broker.js";
import { CliProcesses } from "./helpers/cli-process.js";

interface TestBroker {
  readonly port: number;
  close(): Promise<void>;
}

interface BrokerUnderTest {
  readonly name: string;
  start(): Promise<TestBroker>;
  /** Accepts only alice / secret; anything else gets CONNACK 5 (not authorised). */
  startWithAlice(): Promise<TestBroker>;
}

const utf8 = new TextDecoder();
const startOurBroker = () => startBroker({ sysInterval: 0 });
const brokers: readonly BrokerUnderTest[] = [
  {
    name: "TernMQ broker",
    start: startOurBroker,
    startWithAlice: () =>
      startBroker({
        sysInterval: 0,
        hooks: {
          authenticate: (_client, username, password) =>
            username === "alice" && password !== undefined && utf8.decode(password) === "secret"
              ? 0
              : 5,
        },
      }),
  },
  {
    name: "mosquitto",
    start: () => startMosquitto(),
    // mosquitto answers a 3.1.1 client with a wrong password with 5 (not authorised).
    startWithAlice: () => startMosquitto({ users: { alice: "secret" } }),
  },
];

const cli = new CliProcesses();
const running: TestBroker[] = [];

afterEach(async () => {
  await cli.killAll();
  await Promise.all(running.splice(0).map((broker) => broker.close()));
});

async function started(broker: Promise<TestBroker>): Promise<string[]> {
  const ready = await broker;
  running.push(ready);
  return ["-h", "127.0.0.1", "-p", String(ready.port)];
}

describe.each(brokers)("ternmq pub | sub against the $name", { timeout: 90_000 }, (broker) => {
  it("[MQTT-3.8.4-6] pub at QoS 0, 1 and 2 reaches sub -v -q 2 at the same QoS", async () => {
    const server = await started(broker.start());
    const subscriber = await cli.subscribed([...server, "-t", "e2e/#", "-q", "2", "-v", "-C", "3"]);
    await Promise.all(
      [0, 1, 2].map(async (qos) => {
        const topic = `e2e/q${qos}`;
        const exit = await cli.run([
          "pub",
          ...server,
          "-t",
          topic,
          "-q",
          String(qos),
          "-m",
          `payload ${qos}`,
        ]);
        expect(exit).toMatchObject({ code: 0, stderr: "" });
      }),
    );
    const exit = await subscriber.waitForExit();
    expect(exit.code).toBe(0);
    expect(subscriber.lines.sort()).toEqual([
      "e2e/q0 payload 0",
      "e2e/q1 payload 1",
      "e2e/q2 payload 2",
    ]);
    expect(subscriber.stderr).toMatch(/received e2e\/q2 \(QoS 2, 9 bytes\)/);
  });

  it("[MQTT-3.2.2-5] a refused CONNACK exits 1 with one clear line; -L carries the credentials", async () => {
    const ready = await broker.startWithAlice();
    running.push(ready);
    const refused = await cli.run([
      "pub",
      "-L",
      `mqtt://alice:wrong@127.0.0.1:${ready.port}/t`,
      "-m",
      "x",
    ]);
    expect(refused).toMatchObject({ code: 1, stderr: "Connection refused: not authorised.\n" });
    expect(refused.stdout.length).toBe(0);
    const anonymous = await cli.run([
      "sub",
      "-h",
      "127.0.0.1",
      "-p",
      String(ready.port),
      "-t",
      "t",
    ]);
    expect(anonymous).toMatchObject({ code: 1, stderr: "Connection refused: not authorised.\n" });
    const accepted = await cli.run([
      "pub",
      "-L",
      `mqtt://alice:secret@127.0.0.1:${ready.port}/t`,
      "-V",
      "31",
      "-m",
      "x",
    ]);
    expect(accepted).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("ternmq pub | sub against the TernMQ broker", { timeout: 90_000 }, () => {
  it("pub -l reads the lines of its real stdin (a pipe) as they come", async () => {
    const server = await started(startOurBroker());
    const subscriber = await cli.subscribed([...server, "-t", "e2e/lines", "-q", "1", "-C", "4"]);
    const publisher = cli.start(["pub", ...server, "-t", "e2e/lines", "-q", "1", "-l"]);
    publisher.writeStdin("first\nsecond\n");
    expect(await subscriber.waitForLines(2)).toEqual(["first", "second"]);
    publisher.writeStdin("\nlast");
    publisher.endStdin();
    expect(await publisher.waitForExit()).toMatchObject({ code: 0, stderr: "" });
    expect((await subscriber.waitForExit()).stdout.toString()).toBe("first\nsecond\n\nlast\n");
  });

  it("[MQTT-3.1.2-8] the will of a sub killed without DISCONNECT reaches another sub", async () => {
    const server = await started(startOurBroker());
    const watcher = await cli.subscribed([
      ...server,
      "-t",
      "e2e/status",
      "-v",
      "-q",
      "1",
      "-C",
      "1",
    ]);
    const doomed = await cli.subscribed([
      ...server,
      ...[
        "-t",
        "e2e/unused",
        "--will-topic",
        "e2e/status",
        "--will-payload",
        "gone",
        "--will-qos",
        "1",
      ],
    ]);
    doomed.kill("SIGKILL");
    const exit = await watcher.waitForExit();
    expect(exit.code).toBe(0);
    expect(watcher.lines).toEqual(["e2e/status gone"]);
  });

  it("[MQTT-3.1.2-4] sub -c -i resumes its session and gets the QoS 1 message it missed", async () => {
    const server = await started(startOurBroker());
    const session = [...server, "-c", "-i", "e2e-persistent", "-q", "1", "-t", "e2e/queued"];
    const first = await cli.subscribed(session);
    first.kill("SIGINT");
    expect((await first.waitForExit()).code).toBe(0);
    expect(
      (await cli.run(["pub", ...server, "-t", "e2e/queued", "-q", "1", "-m", "while away"])).code,
    ).toBe(0);
    const second = await cli.run(["sub", ...session, "-C", "1", "-W", "10"]);
    expect(second.code).toBe(0);
    expect(second.stdout.toString()).toBe("while away\n");
  });
});

describe("ternmq failures", { timeout: 90_000 }, () => {
  it("a broker that is not there: exit 1 and one line", async () => {
    const port = await closedPort();
    const exit = await cli.run([
      "pub",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-t",
      "t",
      "-m",
      "x",
    ]);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^Unable to connect: .*ECONNREFUSED.*\n$/);
  });
});

describe("ternmq over TLS (our broker's TLS listener)", { timeout: 90_000 }, () => {
  let certificates: Certificates;
  beforeAll(() => {
    certificates = makeCertificates();
  }, 30_000);
  afterAll(() => removeCertificates(certificates));

  it("pub and sub with --cafile; a broker signed by another CA is refused", async () => {
    const broker = await startOurBroker();
    running.push(broker);
    const listener = await broker.broker.listenTls({
      port: 0,
      host: "127.0.0.1",
      key: certificates.serverKey,
      cert: certificates.serverCert,
    });
    const server = ["-h", "127.0.0.1", "-p", String(listener.port)];
    const subscriber = await cli.subscribed([
      ...server,
      "--cafile",
      certificates.caFile,
      "-t",
      "tls",
      "-C",
      "1",
    ]);
    const exit = await cli.run([
      "pub",
      ...server,
      "--cafile",
      certificates.caFile,
      "-t",
      "tls",
      "-m",
      "secret",
      "-q",
      "1",
    ]);
    expect(exit).toMatchObject({ code: 0, stderr: "" });
    expect((await subscriber.waitForExit()).stdout.toString()).toBe("secret\n");
    const wrongCa = await cli.run([
      "pub",
      ...server,
      "--cafile",
      certificates.otherCaFile,
      "-t",
      "tls",
      "-m",
      "x",
    ]);
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toMatch(/^Unable to connect: [^\n]+\n$/);
  });
});

/** A port with no listener: bound to 127.0.0.1:0, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
