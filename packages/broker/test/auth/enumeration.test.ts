import * as crypto from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type ClientInfo, createFileAuth, hashPassword } from "../../src/index.js";

vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, scrypt: vi.fn(original.scrypt) };
});

const client: ClientInfo = { clientId: "c", protocolVersion: 4 };
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("no user enumeration by timing", () => {
  it("an unknown user, or a known one without password, costs one scrypt with the file's parameters", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ternmq-enum-"));
    dirs.push(dir);
    const file = join(dir, "passwd");
    await writeFile(file, `alice:${await hashPassword("pw", { N: 1024, r: 8, p: 1 })}\n`);
    const { hooks } = await createFileAuth({ passwordFile: file });
    const scrypt = vi.mocked(crypto.scrypt);

    for (const [username, password] of [
      ["mallory", new TextEncoder().encode("pw")],
      ["alice", undefined],
    ] as const) {
      scrypt.mockClear();
      expect(await hooks.authenticate?.(client, username, password)).toBe(4);
      expect(scrypt).toHaveBeenCalledTimes(1);
      expect(scrypt.mock.calls[0]?.[3]).toMatchObject({ N: 1024, r: 8, p: 1 });
    }
  });
});
