import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ParseResult } from "../src/options/parse.js";
import { type PubOptions, parsePubArgs } from "../src/options/pub.js";
import { parseSubArgs, type SubOptions } from "../src/options/sub.js";
import { parseBrokerUrl } from "../src/options/values.js";
import { parseInvocation } from "../src/program.js";

function run<Options>(result: ParseResult<Options>): Options {
  if (result.action !== "run") throw new Error(`expected options, got ${result.stderr}`);
  return result.options;
}

/** A usage error: exit code 1, nothing on stdout, and exactly one `error: ...` line. */
function expectUsageError<Options>(result: ParseResult<Options>): string {
  expect(result).toMatchObject({ action: "exit", exitCode: 1, stdout: "" });
  const stderr = result.action === "exit" ? result.stderr : "";
  expect(stderr).toMatch(/^error: [^\n]+\n$/);
  return stderr;
}

const pub = (...args: string[]) => parsePubArgs(args);
const sub = (...args: string[]) => parseSubArgs(args);

describe("ternmq pub flags", () => {
  it("applies mosquitto_pub's defaults", () => {
    expect(run(pub("-t", "a/b", "-m", "hello"))).toEqual({
      connection: {
        host: "localhost",
        port: 1883,
        tls: undefined,
        clientId: undefined,
        clean: true,
        username: undefined,
        password: undefined,
        keepalive: 60,
        protocolLevel: 4,
        will: undefined,
        debug: false,
      },
      topic: "a/b",
      payload: { kind: "message", text: "hello" },
      qos: 0,
      retain: false,
    } satisfies PubOptions);
  });

  it("reads every connection flag", () => {
    const options = run(
      pub(
        ...["-h", "broker.local", "-p", "1884", "-i", "sensor-7", "-c", "-u", "alice"],
        ...["-P", "secret", "-k", "30", "-V", "31", "-d", "-t", "t", "-q", "2", "-r", "-n"],
      ),
    );
    expect(options).toMatchObject({
      connection: {
        host: "broker.local",
        port: 1884,
        clientId: "sensor-7",
        clean: false,
        username: "alice",
        password: "secret",
        keepalive: 30,
        protocolLevel: 3,
        debug: true,
      },
      payload: { kind: "null" },
      qos: 2,
      retain: true,
    });
  });

  it.each([
    [["-f", "image.bin"], { kind: "file", path: "image.bin" }],
    [["-l"], { kind: "lines" }],
    [["-s"], { kind: "stdin" }],
    [["-n"], { kind: "null" }],
    [["--message", ""], { kind: "message", text: "" }],
  ])("takes the payload from %j", (flags, payload) => {
    expect(run(pub("-t", "t", ...flags)).payload).toEqual(payload);
  });

  it("needs exactly one of -m -f -l -s -n", () => {
    expectUsageError(pub("-t", "t"));
    expectUsageError(pub("-t", "t", "-m", "x", "-f", "file"));
    expectUsageError(pub("-t", "t", "-l", "-n"));
  });

  it("needs exactly one topic", () => {
    expectUsageError(pub("-m", "x"));
    expectUsageError(pub("-t", "a", "-t", "b", "-m", "x"));
    expectUsageError(pub("-L", "mqtt://host/a", "-t", "b", "-m", "x"));
  });

  it.each([["3"], ["-1"], ["1.5"], ["one"]])("[MQTT-3.3.1-4] refuses QoS %s", (qos) => {
    expect(expectUsageError(pub("-t", "t", "-m", "x", "-q", qos))).toContain("-q");
  });

  it.each([
    ["-p", "0"],
    ["-p", "65536"],
    ["-k", "65536"],
    ["-V", "5"],
    ["-V", "3"],
    ["--will-qos", "3"],
  ])("refuses %s %s", (flag, value) => {
    expectUsageError(pub("-t", "t", "-m", "x", "--will-topic", "w", flag, value));
  });

  it("refuses unknown flags and extra arguments", () => {
    expectUsageError(pub("-t", "t", "-m", "x", "--bogus"));
    expectUsageError(pub("-t", "t", "-m", "x", "extra"));
  });
});

describe("ternmq sub flags", () => {
  it("takes several -t filters, -q, -C, -W and -v", () => {
    expect(run(sub("-t", "a/#", "-t", "b/+", "-q", "1", "-C", "3", "-W", "2.5", "-v"))).toEqual({
      connection: expect.objectContaining({ host: "localhost", port: 1883 }),
      topics: ["a/#", "b/+"],
      qos: 1,
      count: 3,
      timeoutSeconds: 2.5,
      verbose: true,
    } satisfies SubOptions);
  });

  it("needs a topic filter", () => {
    expectUsageError(sub());
  });

  it.each([
    ["-C", "0"],
    ["-C", "x"],
    ["-W", "0"],
    ["-W", "-1"],
    ["-W", "2147484"],
  ])("refuses %s %s", (flag, value) => {
    expectUsageError(sub("-t", "t", flag, value));
  });

  it("adds the -L topic to the -t filters", () => {
    expect(run(sub("-L", "mqtt://h/a", "-t", "b")).topics).toEqual(["a", "b"]);
  });
});

describe("connection flags shared by pub and sub", () => {
  it("[MQTT-3.1.2-22] refuses a password without a user name", () => {
    expect(expectUsageError(sub("-t", "t", "-P", "secret"))).toContain("-u");
  });

  it("[MQTT-3.1.3-7] -c (clean session 0) needs a client id", () => {
    expectUsageError(sub("-t", "t", "-c"));
    expectUsageError(sub("-t", "t", "-c", "-i", ""));
    expect(run(sub("-t", "t", "-c", "-i", "me")).connection).toMatchObject({
      clean: false,
      clientId: "me",
    });
  });

  it("reads -L mqtt://user:password@host:port/topic, keeping # in the topic", () => {
    const options = run(sub("-L", "mqtt://alice:p:w@broker.local:1884/sensors/#"));
    expect(options.connection).toMatchObject({
      host: "broker.local",
      port: 1884,
      username: "alice",
      password: "p:w",
      tls: undefined,
    });
    expect(options.topics).toEqual(["sensors/#"]);
  });

  it("-L mqtts:// turns TLS on with port 8883", () => {
    expect(run(sub("-L", "mqtts://[::1]/t")).connection).toMatchObject({
      host: "::1",
      port: 8883,
      tls: { caFile: undefined, certFile: undefined, keyFile: undefined, insecure: false },
    });
  });

  it("refuses -L with -h, -p or a second user name, and a -L that is not mqtt(s)://", () => {
    expectUsageError(sub("-L", "mqtt://h/t", "-h", "other"));
    expectUsageError(sub("-L", "mqtt://h/t", "-p", "1884"));
    expectUsageError(sub("-L", "mqtt://u@h/t", "-u", "v"));
    expectUsageError(sub("-L", "ws://h/t"));
    expectUsageError(sub("-L", "mqtt://h"));
    expectUsageError(sub("-L", "mqtt://h:99999/t"));
  });

  it("--cafile, --cert and --key turn TLS on; --insecure skips only the host name check", () => {
    const options = run(
      sub(...["-t", "t", "--cafile", "ca.crt", "--cert", "c.crt", "--key", "c.key", "--insecure"]),
    );
    expect(options.connection).toMatchObject({
      port: 8883,
      tls: { caFile: "ca.crt", certFile: "c.crt", keyFile: "c.key", insecure: true },
    });
    expect(run(sub("-t", "t", "--cafile", "ca.crt", "-p", "8884")).connection.port).toBe(8884);
  });

  it("refuses --cert without --key, --key without --cert, and --insecure without TLS", () => {
    expectUsageError(sub("-t", "t", "--cert", "c.crt"));
    expectUsageError(sub("-t", "t", "--cafile", "ca.crt", "--key", "c.key"));
    expectUsageError(sub("-t", "t", "--insecure"));
  });

  it("reads the will flags, and refuses will flags without --will-topic", () => {
    const options = run(
      sub(...["-t", "t", "--will-topic", "w", "--will-payload", "gone", "--will-qos", "1"]),
    );
    expect(options.connection.will).toEqual({ topic: "w", payload: "gone", qos: 1, retain: false });
    expect(run(sub("-t", "t", "--will-topic", "w", "--will-retain")).connection.will).toEqual({
      topic: "w",
      payload: "",
      qos: 0,
      retain: true,
    });
    expectUsageError(sub("-t", "t", "--will-payload", "gone"));
    expectUsageError(sub("-t", "t", "--will-retain"));
  });

  it("-V takes 31, 311, mqttv31 and mqttv311", () => {
    for (const [value, level] of [
      ["31", 3],
      ["mqttv31", 3],
      ["311", 4],
      ["mqttv311", 4],
    ] as const) {
      expect(run(sub("-t", "t", "-V", value)).connection.protocolLevel).toBe(level);
    }
  });

  it("parses any -L URL it could have been given back into the same parts", () => {
    const part = fc.stringMatching(/^[a-z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(
        part,
        fc.option(part, { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
        fc.stringMatching(/^[a-z0-9/+#$ -]{1,20}$/),
        (host, user, port, topic) => {
          const authority = `${user === undefined ? "" : `${user}:pw@`}${host}`;
          const url = `mqtt://${authority}${port === undefined ? "" : `:${port}`}/${topic}`;
          expect(parseBrokerUrl(url)).toEqual({
            tls: false,
            host,
            port,
            username: user,
            password: user === undefined ? undefined : "pw",
            topic,
          });
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("ternmq <command>", () => {
  it("--help of each command lists every flag and exits 0; -h is the host", () => {
    for (const command of ["pub", "sub"]) {
      const result = parseInvocation([command, "--help"], "1.2.3");
      expect(result).toMatchObject({ command: "exit", exitCode: 0, stderr: "" });
      const help = result.command === "exit" ? result.stdout : "";
      for (const flag of ["-h, --host", "-p, --port", "-t, --topic", "-q, --qos", "-L, --url"]) {
        expect(help).toContain(flag);
      }
      for (const flag of ["-i, --id", "-u, --username", "-P, --pw", "-k, --keepalive"]) {
        expect(help).toContain(flag);
      }
      for (const flag of ["-c, --disable-clean-session", "-V, --protocol-version", "-d, --debug"]) {
        expect(help).toContain(flag);
      }
      for (const flag of ["--will-topic", "--will-payload", "--will-qos", "--will-retain"]) {
        expect(help).toContain(flag);
      }
      for (const flag of ["--cafile", "--cert", "--key", "--insecure", "Exit codes"]) {
        expect(help).toContain(flag);
      }
    }
    const pubHelp = parseInvocation(["pub", "--help"], "1.2.3");
    for (const flag of ["-m, --message", "-f, --file", "-l, --stdin-line", "-n, --null-message"]) {
      expect(pubHelp.command === "exit" && pubHelp.stdout).toContain(flag);
    }
    const subHelp = parseInvocation(["sub", "--help"], "1.2.3");
    for (const flag of ["-C, --count", "-W, --timeout", "-v, --verbose"]) {
      expect(subHelp.command === "exit" && subHelp.stdout).toContain(flag);
    }
  });

  it("prints the version, the usage, or an error for an unknown command", () => {
    expect(parseInvocation(["--version"], "1.2.3")).toEqual({
      command: "exit",
      exitCode: 0,
      stdout: "1.2.3\n",
      stderr: "",
    });
    expect(parseInvocation(["--help"], "1.2.3")).toMatchObject({ exitCode: 0, stderr: "" });
    expect(parseInvocation([], "1.2.3")).toMatchObject({ exitCode: 1, stdout: "" });
    expect(parseInvocation(["publish"], "1.2.3")).toMatchObject({
      command: "exit",
      exitCode: 1,
      stderr: expect.stringMatching(/^error: [^\n]*publish[^\n]*\n$/),
    });
  });

  it("returns the typed options of pub and sub", () => {
    expect(parseInvocation(["pub", "-t", "t", "-m", "x"], "1")).toMatchObject({
      command: "pub",
      options: { topic: "t" },
    });
    expect(parseInvocation(["sub", "-t", "t"], "1")).toMatchObject({
      command: "sub",
      options: { topics: ["t"] },
    });
  });
});
