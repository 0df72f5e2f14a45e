/**
 * `runPub` and `runSub` in the test process against our broker (real TCP on 127.0.0.1:0), with
 * in-memory stdio: every payload source, output format, exit code and stderr line, without
 * the cost of a process per command (e2e.test.ts runs the real binary).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrokerOptions } from "@ternmq/broker";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../../../tests/src/helpers/broker.js";
import { runPub } from "../src/commands/pub.js";
import { runSub } from "../src/commands/sub.js";
import type { ExitCode } from "../src/exit-codes.js";
import { parsePubArgs } from "../src/options/pub.js";
import { parseSubArgs } from "../src/options/sub.js";
import { FakeIo } from "./helpers/fake-io.js";

const brokers: RunningBroker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function broker(options: BrokerOptions = {}): Promise<string[]> {
  const running = await startBroker({ sysInterval: 0, ...options });
  brokers.push(running);
  return ["-h", "127.0.0.1", "-p", String(running.port)];
}

/** Runs `ternmq pub args`; resolves with the exit code and the io. */
async function pub(args: string[], input?: string): Promise<{ code: ExitCode; io: FakeIo }> {
  const parsed = parsePubArgs(args);
  if (parsed.action !== "run") throw new Error(`bad arguments: ${parsed.stderr}`);
  const io = new FakeIo(input ?? "");
  return { code: await runPub(parsed.options, io), io };
}

/** Starts `ternmq sub -d args` and waits for its SUBACK (or its end). */
async function sub(args: string[]): Promise<{ done: Promise<ExitCode>; io: FakeIo }> {
  const parsed = parseSubArgs(["-d", ...args]);
  if (parsed.action !== "run") throw new Error(`bad arguments: ${parsed.stderr}`);
  const io = new FakeIo();
  const done = runSub(parsed.options, io);
  await Promise.race([io.waitForStderr(/ subscribed to | refused/), done]);
  return { done, io };
}

describe("runPub payload sources", () => {
  it("-m, -n, -s, -f and -l: the bytes and the number of messages", async () => {
    const server = await broker();
    const subscriber = await sub([...server, "-t", "src/#", "-q", "1", "-v", "-C", "7"]);
    const folder = await mkdtemp(join(tmpdir(), "ternmq-cli-"));
    try {
      await writeFile(join(folder, "image.bin"), Uint8Array.of(0x00, 0xff, 0x80));
      const runs = [
        await pub([...server, "-t", "src/m", "-q", "1", "-m", "text é"]),
        await pub([...server, "-t", "src/n", "-q", "1", "-n"]),
        await pub([...server, "-t", "src/s", "-q", "1", "-s"], "all\nof it"),
        await pub([...server, "-t", "src/f", "-q", "1", "-f", join(folder, "image.bin")]),
        await pub([...server, "-t", "src/l", "-q", "1", "-l"], "one\n\nthree"),
      ];
      for (const run of runs)
        expect({ code: run.code, stderr: run.io.errors }).toEqual({ code: 0, stderr: "" });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(await subscriber.done).toBe(0);
    expect(subscriber.io.output).toEqual(
      Buffer.concat([
        Buffer.from("src/m text é\nsrc/n (null)\nsrc/s all\nof it\nsrc/f "),
        Buffer.from([0x00, 0xff, 0x80]),
        Buffer.from("\nsrc/l one\nsrc/l (null)\nsrc/l three\n"),
      ]),
    );
  });

  it("-l publishes lines as they arrive, while stdin is still open", async () => {
    const server = await broker();
    const subscriber = await sub([...server, "-t", "live", "-C", "1"]);
    const parsed = parsePubArgs([...server, "-t", "live", "-l"]);
    if (parsed.action !== "run") throw new Error(parsed.stderr);
    const io = new FakeIo();
    const publishing = runPub(parsed.options, io);
    io.stdin.write("first line\nsecond li");
    expect(await subscriber.done).toBe(0);
    expect(subscriber.io.output.toString()).toBe("first line\n");
    io.stdin.end("ne\n");
    expect(await publishing).toBe(0);
  });

  it("a missing -f file: exit 1, one line, and no connection", async () => {
    const { code, io } = await pub(["-p", "1", "-t", "t", "-f", "/nonexistent/payload"]);
    expect(code).toBe(1);
    expect(io.errors).toMatch(/^Error: cannot read -f \/nonexistent\/payload: .*ENOENT[^\n]*\n$/);
  });

  it("an invalid topic: exit 1 with one line", async () => {
    const server = await broker();
    const { code, io } = await pub([...server, "-t", "a/#", "-m", "x"]);
    expect(code).toBe(1);
    expect(io.errors).toMatch(/^Invalid argument: [^\n]+\n$/);
  });
});

describe("runPub retained messages", () => {
  it("[MQTT-3.3.1-10] pub -r -n clears a retained message", async () => {
    const server = await broker();
    expect((await pub([...server, "-t", "lamp", "-m", "on", "-r", "-q", "1"])).code).toBe(0);
    const late = await sub([...server, "-t", "lamp", "-C", "1"]);
    expect(await late.done).toBe(0);
    expect(late.io.output.toString()).toBe("on\n");
    expect((await pub([...server, "-t", "lamp", "-n", "-r", "-q", "1"])).code).toBe(0);
    // Nothing retained any more: the first message a new subscriber gets is a live one.
    const cleared = await sub([...server, "-t", "lamp", "-C", "1"]);
    expect((await pub([...server, "-t", "lamp", "-m", "live"])).code).toBe(0);
    expect(await cleared.done).toBe(0);
    expect(cleared.io.output.toString()).toBe("live\n");
  });
});

describe("runSub endings", () => {
  it("-W: exit 27 after the timeout, keeping the messages that came (a retained one)", async () => {
    const server = await broker();
    expect((await pub([...server, "-t", "slow", "-m", "one", "-r", "-q", "1"])).code).toBe(0);
    const subscriber = await sub([...server, "-t", "slow", "-C", "2", "-W", "1.5"]);
    expect(await subscriber.done).toBe(27);
    expect(subscriber.io.output.toString()).toBe("one\n");
    expect(subscriber.io.errors).toContain("\nTimed out after 1.5 s (1 of 2 messages).\n");
  });

  it("SIGINT and SIGTERM: DISCONNECT and exit 0", async () => {
    const server = await broker();
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const subscriber = await sub([...server, "-t", "forever"]);
      subscriber.io.signal(signal);
      expect(await subscriber.done).toBe(0);
      expect(subscriber.io.errors).toMatch(/disconnecting\n$/);
    }
  });

  it("a broker that goes away: exit 1 with a Connection lost line", async () => {
    const running = await startBroker({ sysInterval: 0 });
    const subscriber = await sub(["-h", "127.0.0.1", "-p", String(running.port), "-t", "t"]);
    await running.close();
    expect(await subscriber.done).toBe(1);
    expect(subscriber.io.errors).toMatch(/\nConnection lost: [^\n]+\n$/);
  });

  it("[MQTT-3.9.3-2] some filters refused: a warning each; all refused: exit 1", async () => {
    const server = await broker({
      hooks: {
        authorizeSubscribe: (_client, filter, qos) => (filter.startsWith("secret") ? 0x80 : qos),
      },
    });
    const partly = await sub([...server, "-t", "open", "-t", "secret/a", "-C", "1"]);
    expect(partly.io.errors).toContain("Warning: the subscription to secret/a was denied.\n");
    expect((await pub([...server, "-t", "open", "-m", "still here"])).code).toBe(0);
    expect(await partly.done).toBe(0);
    expect(partly.io.output.toString()).toBe("still here\n");

    const denied = await sub([...server, "-t", "secret/a", "-t", "secret/b"]);
    expect(await denied.done).toBe(1);
    expect(denied.io.errors).toMatch(/\nAll subscription requests were denied\.\n$/);
  });

  it("[MQTT-3.2.2-5] a refused CONNACK: exit 1 and its line, for pub and sub", async () => {
    const server = await broker({ hooks: { authenticate: () => 4 } });
    const published = await pub([...server, "-t", "t", "-m", "x", "-u", "bob", "-P", "bad"]);
    expect(published.code).toBe(1);
    expect(published.io.errors).toBe("Connection refused: bad user name or password.\n");
    const subscribed = await sub([...server, "-t", "t"]);
    expect(await subscribed.done).toBe(1);
    expect(subscribed.io.errors).toMatch(/\nConnection refused: bad user name or password\.\n$/);
  });

  it("[MQTT-3.1.2-4] -c -i: the session keeps the subscription and the QoS 1 messages missed", async () => {
    const server = await broker();
    const session = [...server, "-c", "-i", "commands-session", "-q", "1", "-t", "missed"];
    const first = await sub(session);
    first.io.signal("SIGINT");
    expect(await first.done).toBe(0);
    expect((await pub([...server, "-t", "missed", "-q", "1", "-m", "while away"])).code).toBe(0);
    const second = await sub([...session, "-C", "1"]);
    expect(await second.done).toBe(0);
    expect(second.io.output.toString()).toBe("while away\n");
    expect(second.io.errors).toContain("connected (session present: true)");
  });
});
