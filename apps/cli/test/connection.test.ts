import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerUrl, clientOptions } from "../src/connection.js";
import type { ConnectionSettings } from "../src/options/connection.js";

const settings: ConnectionSettings = {
  host: "127.0.0.1",
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
};

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "ternmq-cli-tls-"));
  await writeFile(join(folder, "ca.pem"), "CA PEM");
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe("settings -> @ternmq/client connect() options", () => {
  it("builds mqtt:// and mqtts:// URLs, with brackets around IPv6 hosts", () => {
    expect(brokerUrl(settings)).toBe("mqtt://127.0.0.1:1883");
    const tls = { caFile: undefined, certFile: undefined, keyFile: undefined, insecure: false };
    expect(brokerUrl({ ...settings, host: "::1", port: 8883, tls })).toBe("mqtts://[::1]:8883");
  });

  it("passes the session, credentials and will through, and never reconnects", async () => {
    const will = { topic: "w", payload: "gone", qos: 1, retain: true } as const;
    expect(
      await clientOptions({
        ...settings,
        clientId: "me",
        clean: false,
        username: "alice",
        password: "secret",
        keepalive: 5,
        will,
      }),
    ).toEqual({
      clientId: "me",
      clean: false,
      username: "alice",
      password: "secret",
      keepalive: 5,
      protocolVersion: 4,
      will,
      reconnect: false,
    });
  });

  it("MQTT 3.1 without -i gets a random 1-23 character client id (3.1 refuses an empty one)", async () => {
    const first = await clientOptions({ ...settings, protocolLevel: 3 });
    const second = await clientOptions({ ...settings, protocolLevel: 3 });
    expect(first.clientId).toMatch(/^ternmq-[0-9a-f]{16}$/);
    expect(first.clientId).not.toBe(second.clientId);
    expect((await clientOptions(settings)).clientId).toBeUndefined();
  });

  it("reads --cafile; --insecure skips only the host name check", async () => {
    const tls = { caFile: join(folder, "ca.pem"), certFile: undefined, keyFile: undefined };
    const checked = await clientOptions({ ...settings, tls: { ...tls, insecure: false } });
    expect(checked.tls).toEqual({ ca: Buffer.from("CA PEM") });
    const insecure = await clientOptions({ ...settings, tls: { ...tls, insecure: true } });
    expect(insecure.tls).toMatchObject({ ca: Buffer.from("CA PEM") });
    expect(insecure.tls).not.toHaveProperty("rejectUnauthorized");
    const check = (insecure.tls as { checkServerIdentity?: (host: string) => unknown })
      .checkServerIdentity;
    expect(check?.("other.example")).toBeUndefined();
  });

  it("names the flag and the file when a TLS file cannot be read", async () => {
    const tls = { caFile: join(folder, "missing.pem"), certFile: undefined, keyFile: undefined };
    await expect(clientOptions({ ...settings, tls: { ...tls, insecure: false } })).rejects.toThrow(
      /--cafile .*missing\.pem/,
    );
  });
});
