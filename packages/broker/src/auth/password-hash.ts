/**
 * Salted scrypt hashes in the text form `$scrypt$N$r$p$salt$hash` (salt and hash base64), with
 * the parameters stored per entry so they can be raised later without invalidating old entries.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  /** CPU/memory cost, a power of two > 1. */
  N: number;
  r: number;
  p: number;
  /** Salt length in bytes. */
  saltBytes: number;
  /** Derived key length in bytes. */
  keyBytes: number;
}

export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = {
  N: 16384,
  r: 8,
  p: 1,
  saltBytes: 16,
  keyBytes: 64,
};

/** A parsed `$scrypt$...` hash. */
export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const MAX_N = 2 ** 20;
const MAX_R_P = 64;

function derive(
  password: string | Uint8Array,
  salt: Buffer,
  keyBytes: number,
  N: number,
  r: number,
  p: number,
): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; allow that plus headroom over Node's 32 MiB default.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes `password` with a fresh random salt; resolves to `$scrypt$N$r$p$salt$hash`. */
export async function hashPassword(
  password: string | Uint8Array,
  params: Partial<ScryptParams> = {},
): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = { ...DEFAULT_SCRYPT_PARAMS, ...params };
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, keyBytes, N, r, p);
  return `$scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^[1-9][0-9]{0,9}$/;

/** Parses a `$scrypt$...` hash; undefined when malformed or its parameters are out of range. */
export function parseScryptHash(text: string): ScryptHash | undefined {
  const parts = text.split("$");
  // "", "scrypt", N, r, p, salt, hash
  if (parts.length !== 7 || parts[0] !== "" || parts[1] !== "scrypt") return undefined;
  const [, , nText = "", rText = "", pText = "", saltText = "", hashText = ""] = parts;
  if (!DECIMAL.test(nText) || !DECIMAL.test(rText) || !DECIMAL.test(pText)) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r > MAX_R_P || p > MAX_R_P) return undefined;
  if (!BASE64.test(saltText) || !BASE64.test(hashText)) return undefined;
  const salt = Buffer.from(saltText, "base64");
  const hash = Buffer.from(hashText, "base64");
  if (salt.length < 8 || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

/** True when `password` hashes to `entry.hash` with the entry's salt and parameters. */
export async function verifyPassword(
  entry: { hash: ScryptHash },
  password: string | Uint8Array,
): Promise<boolean> {
  const { N, r, p, salt, hash } = entry.hash;
  const candidate = await derive(password, salt, hash.length, N, r, p);
  return timingSafeEqual(candidate, hash);
}
