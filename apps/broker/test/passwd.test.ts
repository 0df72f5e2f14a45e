import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parsePasswordFile, verifyPassword } from "@ternmq/broker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPasswd } from "../src/passwd.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternmq-passwd-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs passwd with `input` on stdin; returns the exit code and what was written. */
async function run(args: string[], input = "", terminal?: (mode: boolean) => void) {
  const stdin = Object.assign(new PassThrough(), terminal ? { setRawMode: terminal } : {});
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  stdin.end(input);
  const code = await runPasswd(args, { stdin, stdout, stderr, isTTY: terminal !== undefined });
  return { code, out, err };
}

async function check(file: string, user: string, password: string): Promise<boolean> {
  const entry = parsePasswordFile(await readFile(file, "utf8"), file).get(user);
  return entry !== undefined && verifyPassword(entry, password);
}

describe("ternmq-broker passwd", () => {
  it("creates the file and adds a user from the first line of stdin", async () => {
    const file = join(dir, "new");
    const result = await run([file, "alice"], "s3cret\nignored second line\n");
    expect(result.code).toBe(0);
    expect(await check(file, "alice", "s3cret")).toBe(true);
    expect(await check(file, "alice", "ignored second line")).toBe(false);
  });

  it("updates a user in place, keeping comments and other users", async () => {
    const file = join(dir, "update");
    await run([file, "alice"], "one\n");
    await run([file, "bob"], "bob-pw\n");
    const before = await readFile(file, "utf8");
    await writeFile(file, `# header comment\n${before}\n# trailing\n`);
    expect((await run([file, "alice"], "two")).code).toBe(0);
    const after = await readFile(file, "utf8");
    const lines = after.trimEnd().split("\n");
    expect(lines[0]).toBe("# header comment");
    expect(lines[1]?.startsWith("alice:$scrypt$")).toBe(true);
    expect(lines.at(-1)).toBe("# trailing");
    expect(await check(file, "alice", "two")).toBe(true);
    expect(await check(file, "bob", "bob-pw")).toBe(true);
    // written through a temporary file that does not stay behind
    expect((await readdir(dir)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  it("-D deletes a user; deleting an unknown user exits 1", async () => {
    const file = join(dir, "delete");
    await run([file, "alice"], "a\n");
    await run([file, "bob"], "b\n");
    expect((await run(["-D", file, "alice"])).code).toBe(0);
    const users = parsePasswordFile(await readFile(file, "utf8"), file);
    expect([...users.keys()]).toEqual(["bob"]);
    const missing = await run(["-D", file, "alice"]);
    expect(missing.code).toBe(1);
    expect(missing.err).not.toBe("");
  });

  it("exits 2 with usage for wrong arguments or an invalid user name", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run([join(dir, "x")])).code).toBe(2);
    expect((await run([join(dir, "x"), "a:b"], "pw\n")).code).toBe(2);
    expect((await run([join(dir, "x"), "has space"], "pw\n")).code).toBe(2);
  });

  it("exits 1 on an empty password and leaves the file unchanged", async () => {
    const file = join(dir, "empty");
    await run([file, "alice"], "keep\n");
    const before = await readFile(file, "utf8");
    expect((await run([file, "alice"], "\n")).code).toBe(1);
    expect(await readFile(file, "utf8")).toBe(before);
  });

  it("on a terminal: prompts on stderr, turns echo off while reading, then back on", async () => {
    const file = join(dir, "tty");
    const modes: boolean[] = [];
    const result = await run([file, "alice"], "typed\r", (mode) => modes.push(mode));
    expect(result.code).toBe(0);
    expect(result.err).toContain("Password:");
    expect(modes).toEqual([true, false]);
    expect(await check(file, "alice", "typed")).toBe(true);
  });
});
