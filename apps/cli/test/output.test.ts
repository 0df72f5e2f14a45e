import { describe, expect, it } from "vitest";
import { describeFailure } from "../src/failure.js";
import { readAll, splitLines } from "../src/lines.js";
import { formatMessage } from "../src/output.js";

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function linesOf(...parts: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of splitLines(chunks(...parts))) lines.push(line.toString());
  return lines;
}

describe("splitLines (pub -l)", () => {
  it("splits on \\n across chunk boundaries, keeps empty lines and a last line without \\n", async () => {
    expect(await linesOf("a\nb", "c\n\nd", "\n", "e")).toEqual(["a", "bc", "", "d", "e"]);
    expect(await linesOf("one\n")).toEqual(["one"]);
    expect(await linesOf()).toEqual([]);
  });

  it("keeps the bytes of each line as they are (no UTF-8 decoding)", async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x0a, 0xfe]);
    const lines: Buffer[] = [];
    for await (const line of splitLines(
      (async function* () {
        yield bytes.subarray(0, 3);
        yield bytes.subarray(3);
      })(),
    )) {
      lines.push(line);
    }
    expect(lines).toEqual([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from([0xfe])]);
  });

  it("readAll (pub -s) joins every chunk", async () => {
    expect((await readAll(chunks("a\n", "b"))).toString()).toBe("a\nb");
  });
});

describe("formatMessage (sub output)", () => {
  it("prints the payload and a newline, or with -v the topic, a space and the payload", () => {
    expect(formatMessage("a/b", Buffer.from("21.5"), false).toString()).toBe("21.5\n");
    expect(formatMessage("a/b", Buffer.from("21.5"), true).toString()).toBe("a/b 21.5\n");
  });

  it("prints an empty payload as an empty line, or as (null) with -v", () => {
    expect(formatMessage("a", new Uint8Array(0), false).toString()).toBe("\n");
    expect(formatMessage("a", new Uint8Array(0), true).toString()).toBe("a (null)\n");
  });

  it("passes binary payloads through byte for byte", () => {
    const payload = Uint8Array.of(0, 0xff, 0x80);
    expect([...formatMessage("t", payload, false)]).toEqual([0, 0xff, 0x80, 0x0a]);
  });
});

class FakeClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly returnCode?: number,
  ) {
    super(message);
  }
}

describe("describeFailure (the stderr line)", () => {
  it.each([
    [1, "Connection refused: unacceptable protocol version."],
    [2, "Connection refused: identifier rejected."],
    [3, "Connection refused: broker unavailable."],
    [4, "Connection refused: bad user name or password."],
    [5, "Connection refused: not authorised."],
  ])("[MQTT-3.2.2-5] names CONNACK return code %i", (returnCode, line) => {
    const error = new FakeClientError("MQTT_ERR_CLIENT_CONNACK_REFUSED", "refused", returnCode);
    expect(describeFailure(error)).toBe(line);
  });

  it("is always one line", () => {
    const error = new FakeClientError("MQTT_ERR_CLIENT_PROTOCOL", "bad\npacket\n");
    expect(describeFailure(error)).not.toContain("\n");
    expect(describeFailure(new Error("two\nlines"))).not.toContain("\n");
    expect(describeFailure("text")).toBe("Error: text");
  });
});
