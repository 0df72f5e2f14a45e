import { describe, expect, it } from "vitest";
import { hex, ScriptedTransport } from "../src/index.js";

describe("ScriptedTransport", () => {
  it("answers each matched expectation with the responses scripted after it", async () => {
    const transport = new ScriptedTransport()
      .respond(hex`aa`)
      .expect(hex`01 02 03`)
      .respond(hex`bb cc`);
    expect(await transport.connect("host", 1)).toBe(true);
    expect(transport.available()).toBe(1);
    expect(transport.write(hex`01`)).toBe(1);
    expect(transport.available()).toBe(1);
    transport.write(hex`02 03`); // boundaries do not matter
    const buffer = new Uint8Array(8);
    expect(transport.read(buffer)).toBe(3);
    expect([...buffer.subarray(0, 3)]).toEqual([0xaa, 0xbb, 0xcc]);
    expect(transport.read()).toBe(-1);
    transport.assertDone();
    expect(transport.connectCalls).toEqual([{ host: "host", port: 1 }]);
  });

  it("throws from write on the first wrong byte and records it", async () => {
    const transport = new ScriptedTransport().expect(hex`01 02`);
    await transport.connect("h", 1);
    expect(() => transport.write(hex`09`)).toThrow(/expected 01 02/);
    expect(transport.failures).toHaveLength(1);
    expect(() => transport.assertDone()).toThrow();
  });

  it("strict mode refuses unscripted writes; lenient mode records them", async () => {
    const strict = new ScriptedTransport();
    await strict.connect("h", 1);
    expect(() => strict.write(hex`01`)).toThrow(/unexpected bytes/);
    const lenient = new ScriptedTransport({ strict: false });
    await lenient.connect("h", 1);
    expect(lenient.write(hex`01`)).toBe(1);
    expect(lenient.writtenHex()).toBe("01");
  });

  it("simulates a refused connect, short writes and a peer close", async () => {
    const transport = new ScriptedTransport({ strict: false });
    transport.connectResult = false;
    expect(await transport.connect("h", 1)).toBe(false);
    expect(transport.connected()).toBe(false);
    transport.connectResult = true;
    await transport.connect("h", 1);
    transport.writeLimit = 1;
    expect(transport.write(hex`01 02`)).toBe(1);
    transport.inject(hex`05`);
    transport.peerClose();
    expect(transport.connected()).toBe(true); // unread bytes, as on Arduino
    expect(transport.read()).toBe(5);
    expect(transport.connected()).toBe(false);
    expect(transport.write(hex`01`)).toBe(0);
  });

  it("runs a close step once the expectation before it matched", async () => {
    const transport = new ScriptedTransport().expect(hex`01`).close();
    await transport.connect("h", 1);
    expect(transport.connected()).toBe(true);
    transport.write(hex`01`);
    expect(transport.connected()).toBe(false);
    expect(transport.pendingSteps).toBe(0);
  });
});
