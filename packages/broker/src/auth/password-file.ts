/**
 * The password file: one `user:$scrypt$N$r$p$salt$hash` line per user; `#` comments and blank
 * lines are ignored. A user name is everything before the first `:` (so it cannot hold `:`).
 */
import { AuthFileError } from "./auth-error.js";
import { parseScryptHash, type ScryptHash } from "./password-hash.js";

export interface PasswordEntry {
  username: string;
  hash: ScryptHash;
  /** 1-based line number in the file. */
  line: number;
}

/** Splits text into lines, accepting LF and CRLF. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** True for lines that hold no entry or rule: blank or `#` comment. */
export function isIgnorableLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === "" || trimmed.startsWith("#");
}

/** Parses a password file; throws AuthFileError with the line number of the first bad line. */
export function parsePasswordFile(text: string, fileName: string): Map<string, PasswordEntry> {
  const users = new Map<string, PasswordEntry>();
  const lines = splitLines(text);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    if (isIgnorableLine(raw)) continue;
    const line = index + 1;
    const content = raw.trim();
    const colon = content.indexOf(":");
    if (colon <= 0) {
      throw new AuthFileError("MQTT_ERR_AUTH_PASSWORD_LINE", "expected user:hash", {
        fileName,
        line,
      });
    }
    const username = content.slice(0, colon);
    const hash = parseScryptHash(content.slice(colon + 1));
    if (hash === undefined) {
      throw new AuthFileError(
        "MQTT_ERR_AUTH_PASSWORD_HASH",
        `hash of user "${username}" is not $scrypt$N$r$p$salt$hash`,
        { fileName, line },
      );
    }
    const previous = users.get(username);
    if (previous !== undefined) {
      throw new AuthFileError(
        "MQTT_ERR_AUTH_DUPLICATE_USER",
        `user "${username}" already defined on line ${previous.line}`,
        { fileName, line },
      );
    }
    users.set(username, { username, hash, line });
  }
  return users;
}
