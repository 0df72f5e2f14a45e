import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Harness } from "./helpers/harness.js";
import { publishPacket } from "./helpers/packets.js";

const t = new Harness();
afterEach(() => t.cleanup());

/** A pino logger whose JSON lines are collected in `lines`. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level: "info" }, destination), lines };
}

describe("logs", () => {
  it("one line per connect and disconnect with client id, address and reason; a protocol error once with its code", async () => {
    const { logger, lines } = capturingLogger();
    const { port } = await t.broker({ logger });
    const client = await t.client(port, { clientId: "logged" });
    client.send(publishPacket("bad/+", "x"));
    await client.waitClosed();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const about = lines.filter((line) => line.clientId === "logged");
    expect(about.map((line) => line.msg)).toEqual([
      "client connected",
      "protocol error; connection closed",
      "client disconnected",
    ]);
    expect(about[0]).toMatchObject({ address: "127.0.0.1", clean: true, sessionPresent: false });
    expect(about[1]).toMatchObject({
      code: "MQTT_ERR_TOPIC_WILDCARD_IN_NAME",
      reason: "protocol-error",
    });
    expect(about[2]).toMatchObject({ address: "127.0.0.1", reason: "protocol-error" });
  });

  it("a refused CONNECT is logged with its return code", async () => {
    const { logger, lines } = capturingLogger();
    const { port } = await t.broker({ logger, hooks: { authenticate: () => 5 } });
    const client = await t.raw(port);
    await client.connect({ clientId: "nope" });
    await client.waitClosed();
    expect(lines.filter((line) => line.clientId === "nope")).toMatchObject([
      { msg: "CONNECT refused", returnCode: 5 },
    ]);
  });

  it("a PUBLISH refused by authorizePublish is logged with the client id and topic", async () => {
    const { logger, lines } = capturingLogger();
    const { port } = await t.broker({ logger, hooks: { authorizePublish: () => false } });
    const client = await t.client(port, { clientId: "writer" });
    client.send(publishPacket("private/data", "x", 1, { packetId: 7 }));
    await client.expect("puback");
    expect(lines.filter((line) => line.msg === "PUBLISH not authorized: dropped")).toMatchObject([
      { clientId: "writer", topic: "private/data" },
    ]);
  });
});
