import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthFileError, type ClientInfo, createFileAuth, hashPassword } from "../../src/index.js";
import { bytes, Harness, text } from "../helpers/harness.js";
import { publishAcked, subscribe } from "../helpers/packets.js";

const FAST = { N: 1024, r: 8, p: 1 };
let dir = "";
let passwordFile = "";
let aclFile = "";

const ACL = `
user alice
topic readwrite room/#
topic read $SYS/#
user bob
topic read room/#
pattern write users/%u/#
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternmq-auth-"));
  passwordFile = join(dir, "passwd");
  aclFile = join(dir, "acl");
  const alice = await hashPassword("alice-pw", FAST);
  const bob = await hashPassword("bob-pw", FAST);
  await writeFile(passwordFile, `# test users\nalice:${alice}\nbob:${bob}\n`);
  await writeFile(aclFile, ACL);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const info = (clientId: string, username?: string): ClientInfo => ({
  clientId,
  username,
  protocolVersion: 4,
});

describe("createFileAuth hooks", () => {
  it("authenticate: 0 for good credentials, 4 for a wrong password or unknown user", async () => {
    const { hooks } = await createFileAuth({ passwordFile, aclFile });
    const authenticate = hooks.authenticate;
    if (authenticate === undefined) throw new Error("no hook");
    expect(await authenticate(info("c"), "alice", bytes("alice-pw"))).toBe(0);
    expect(await authenticate(info("c"), "alice", bytes("bob-pw"))).toBe(4);
    expect(await authenticate(info("c"), "alice", undefined)).toBe(4);
    expect(await authenticate(info("c"), "mallory", bytes("alice-pw"))).toBe(4);
  });

  it("allowAnonymous defaults to false with a password file and true without", async () => {
    const strict = await createFileAuth({ passwordFile });
    expect(await strict.hooks.authenticate?.(info("c"), undefined, undefined)).toBe(5);
    const open = await createFileAuth({});
    expect(await open.hooks.authenticate?.(info("c"), undefined, undefined)).toBe(0);
    const overridden = await createFileAuth({ passwordFile, allowAnonymous: true });
    expect(await overridden.hooks.authenticate?.(info("c"), undefined, undefined)).toBe(0);
    const closed = await createFileAuth({ allowAnonymous: false });
    expect(await closed.hooks.authenticate?.(info("c"), undefined, undefined)).toBe(5);
  });

  it("without an ACL every topic is allowed", async () => {
    const { hooks } = await createFileAuth({ passwordFile });
    expect(hooks.authorizePublish?.(info("c", "bob"), "any/topic", { qos: 0, retain: false })).toBe(
      true,
    );
    expect(hooks.authorizeSubscribe?.(info("c", "bob"), "#", 1)).toBe(1);
  });

  it("an unreadable file rejects with MQTT_ERR_AUTH_FILE_UNREADABLE", async () => {
    await expect(createFileAuth({ aclFile: join(dir, "missing") })).rejects.toMatchObject({
      code: "MQTT_ERR_AUTH_FILE_UNREADABLE",
    });
  });
});

describe("reload", () => {
  it("applies a good new file and keeps the old rules when the new file is bad", async () => {
    const file = join(dir, "acl-reload");
    await writeFile(file, "topic read a/#\n");
    const auth = await createFileAuth({ aclFile: file });
    const anonymous = info("anon");
    expect(auth.hooks.authorizeSubscribe?.(anonymous, "a/x", 0)).toBe(0);
    expect(auth.hooks.authorizeSubscribe?.(anonymous, "b/x", 0)).toBe(0x80);

    await writeFile(file, "topic read b/#\n");
    await auth.reload();
    expect(auth.hooks.authorizeSubscribe?.(info("anon2"), "a/x", 0)).toBe(0x80);
    expect(auth.hooks.authorizeSubscribe?.(info("anon2"), "b/x", 0)).toBe(0);

    await writeFile(file, "topic read b/#\ntopic bogus c\n");
    const error = await auth.reload().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(AuthFileError.isAuthFileError(error)).toBe(true);
    expect(error).toMatchObject({ code: "MQTT_ERR_AUTH_ACL_ACCESS", line: 2, fileName: file });
    expect(auth.hooks.authorizeSubscribe?.(info("anon3"), "b/x", 0)).toBe(0);
  });

  it("a bad password file on reload keeps both old files (atomic swap)", async () => {
    const pw = join(dir, "passwd-reload");
    const acl = join(dir, "acl-reload-2");
    await writeFile(pw, `carol:${await hashPassword("one", FAST)}\n`);
    await writeFile(acl, "user carol\ntopic x\n");
    const auth = await createFileAuth({ passwordFile: pw, aclFile: acl });
    await writeFile(pw, "carol:broken\n");
    await writeFile(acl, "user carol\ntopic y\n");
    await expect(auth.reload()).rejects.toMatchObject({
      code: "MQTT_ERR_AUTH_PASSWORD_HASH",
      line: 1,
    });
    expect(await auth.hooks.authenticate?.(info("c"), "carol", bytes("one"))).toBe(0);
    expect(auth.hooks.authorizePublish?.(info("c", "carol"), "x", { qos: 0, retain: false })).toBe(
      true,
    );
    expect(auth.hooks.authorizePublish?.(info("c", "carol"), "y", { qos: 0, retain: false })).toBe(
      false,
    );
  });
});

describe("with a real Broker", () => {
  const t = new Harness();
  afterEach(() => t.cleanup());

  async function start(): Promise<number> {
    const auth = await createFileAuth({ passwordFile, aclFile });
    return (await t.broker({ hooks: auth.hooks })).port;
  }

  it("CONNACK 4 for a wrong password, 5 for an anonymous client, 0 for good credentials", async () => {
    const port = await start();
    const wrong = await t.raw(port);
    expect(
      (await wrong.connect({ clientId: "w", username: "alice", password: bytes("nope") }))
        .reasonCode,
    ).toBe(4);
    const anonymous = await t.raw(port);
    expect((await anonymous.connect({ clientId: "a" })).reasonCode).toBe(5);
    await t.client(port, { clientId: "ok", username: "alice", password: bytes("alice-pw") });
  });

  it("SUBACK 0x80 for a denied filter, and a denied PUBLISH is acknowledged but not delivered", async () => {
    const port = await start();
    const alice = await t.client(port, {
      clientId: "alice-1",
      username: "alice",
      password: bytes("alice-pw"),
    });
    const bob = await t.client(port, {
      clientId: "bob-1",
      username: "bob",
      password: bytes("bob-pw"),
    });
    expect(
      await subscribe(bob, [
        ["room/#", 1],
        ["#", 1],
        ["$SYS/#", 0],
      ]),
    ).toEqual([1, 0x80, 0x80]);
    expect(await subscribe(alice, [["$SYS/#", 0]])).toEqual([0]);

    // bob may not write room/...: acknowledged (3.1.1 has no negative ack) and dropped.
    await publishAcked(bob, "room/1", "denied", { packetId: 7 });
    await bob.expectNothing(150);

    await publishAcked(alice, "room/1", "allowed");
    const delivered = await bob.expect("publish");
    expect([delivered.topic, text(delivered.payload)]).toEqual(["room/1", "allowed"]);
  });
});
