import { describe, expect, it } from "vitest";
import {
  AuthFileError,
  hashPassword,
  parsePasswordFile,
  parseScryptHash,
  verifyPassword,
} from "../../src/index.js";

/** Cheap parameters so the tests stay fast; the defaults are checked once. */
const FAST = { N: 1024, r: 8, p: 1 };

function codeOf(run: () => unknown): { code: string; line: number | undefined } {
  try {
    run();
  } catch (error) {
    if (AuthFileError.isAuthFileError(error)) return { code: error.code, line: error.line };
    throw error;
  }
  throw new Error("did not throw");
}

describe("hashPassword / verifyPassword", () => {
  it("hashes with the default parameters: N=16384 r=8 p=1, 16-byte salt, 64-byte key", async () => {
    const text = await hashPassword("secret");
    expect(text).toMatch(/^\$scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const parsed = parseScryptHash(text);
    expect(parsed?.salt.length).toBe(16);
    expect(parsed?.hash.length).toBe(64);
    expect(parsed && (await verifyPassword({ hash: parsed }, "secret"))).toBe(true);
  });

  it("accepts the right password and refuses a wrong one", async () => {
    const hash = parseScryptHash(await hashPassword("right", FAST));
    if (hash === undefined) throw new Error("unparsable");
    expect(await verifyPassword({ hash }, "right")).toBe(true);
    expect(await verifyPassword({ hash }, new TextEncoder().encode("right"))).toBe(true);
    expect(await verifyPassword({ hash }, "wrong")).toBe(false);
    expect(await verifyPassword({ hash }, "")).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    expect(await hashPassword("same", FAST)).not.toBe(await hashPassword("same", FAST));
  });

  it("verifies entries made with different parameters (stored per entry)", async () => {
    const low = parseScryptHash(await hashPassword("pw", { N: 256, r: 4, p: 2, keyBytes: 32 }));
    const high = parseScryptHash(await hashPassword("pw", { N: 2048, r: 8, p: 1 }));
    if (low === undefined || high === undefined) throw new Error("unparsable");
    expect([low.N, low.r, low.p, low.hash.length]).toEqual([256, 4, 2, 32]);
    expect(await verifyPassword({ hash: low }, "pw")).toBe(true);
    expect(await verifyPassword({ hash: high }, "pw")).toBe(true);
  });

  it.each([
    ["wrong scheme", "$bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA=="],
    ["N not a power of two", "$scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA=="],
    ["missing part", "$scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA=="],
    ["bad base64", "$scrypt$1024$8$1$!!!!$AAAAAAAAAAAAAAAAAAAAAA=="],
    ["zero r", "$scrypt$1024$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA=="],
  ])("parseScryptHash refuses %s", (_name, text) => {
    expect(parseScryptHash(text)).toBeUndefined();
  });
});

describe("parsePasswordFile", () => {
  it("reads users, skipping comments and blank lines (LF and CRLF)", async () => {
    const alice = await hashPassword("a", FAST);
    const bob = await hashPassword("b", FAST);
    const users = parsePasswordFile(
      `# users\n\nalice:${alice}\r\n  # indented comment\nbob:${bob}\n`,
      "pw",
    );
    expect([...users.keys()]).toEqual(["alice", "bob"]);
    expect(users.get("bob")?.line).toBe(5);
  });

  it("reports a line without a colon, with its line number", () => {
    expect(codeOf(() => parsePasswordFile("# c\nalice\n", "pw"))).toEqual({
      code: "MQTT_ERR_AUTH_PASSWORD_LINE",
      line: 2,
    });
    expect(codeOf(() => parsePasswordFile(":$scrypt$", "pw"))).toEqual({
      code: "MQTT_ERR_AUTH_PASSWORD_LINE",
      line: 1,
    });
  });

  it("reports a malformed hash, with its line number", () => {
    expect(codeOf(() => parsePasswordFile("\n\nalice:plaintext\n", "pw"))).toEqual({
      code: "MQTT_ERR_AUTH_PASSWORD_HASH",
      line: 3,
    });
  });

  it("reports a duplicate user, with the line of the second entry", async () => {
    const hash = await hashPassword("a", FAST);
    const error = codeOf(() => parsePasswordFile(`alice:${hash}\nalice:${hash}\n`, "pw"));
    expect(error).toEqual({ code: "MQTT_ERR_AUTH_DUPLICATE_USER", line: 2 });
  });

  it("names the file in the error", () => {
    try {
      parsePasswordFile("x", "/etc/ternmq/passwd");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthFileError);
      expect((error as AuthFileError).fileName).toBe("/etc/ternmq/passwd");
    }
  });
});
