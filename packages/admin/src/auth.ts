/**
 * Who may use the admin server: nobody needs credentials on a loopback address without
 * `token` or `authenticate`; otherwise every request outside the probes and the dashboard's
 * static files must carry `Authorization: Bearer <token>` or `Basic <user:password>`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { AdminError } from "./errors.js";

/** Checks a user name and password (the app passes the broker's password file check). */
export type AdminAuthenticate = (username: string, password: string) => boolean | Promise<boolean>;

export interface AuthOptions {
  host: string;
  token?: string | undefined;
  authenticate?: AdminAuthenticate | undefined;
}

export type AuthResult = "allowed" | "denied";

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host === "::ffff:127.0.0.1";
}

export class AdminAuth {
  private readonly tokenDigest: Buffer | undefined;
  private readonly authenticate: AdminAuthenticate | undefined;

  /**
   * Throws: AdminError MQTT_ERR_ADMIN_UNPROTECTED for a non-loopback `host` with neither
   * `token` nor `authenticate`; MQTT_ERR_ADMIN_INVALID_OPTION for an empty token.
   */
  constructor(options: AuthOptions) {
    if (options.token === "") {
      throw new AdminError("MQTT_ERR_ADMIN_INVALID_OPTION", "the admin token must not be empty");
    }
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.authenticate = options.authenticate;
    if (!this.required && !isLoopback(options.host)) {
      throw new AdminError(
        "MQTT_ERR_ADMIN_UNPROTECTED",
        `the admin server would listen on ${options.host} without a token or password check`,
      );
    }
  }

  /** Whether requests must carry credentials. */
  get required(): boolean {
    return this.tokenDigest !== undefined || this.authenticate !== undefined;
  }

  /** The `WWW-Authenticate` challenge of a 401 answer. */
  get challenge(): string {
    return this.authenticate === undefined
      ? 'Bearer realm="ternmq-admin"'
      : 'Basic realm="ternmq-admin", charset="UTF-8"';
  }

  async check(request: IncomingMessage): Promise<AuthResult> {
    if (!this.required) return "allowed";
    const header = request.headers.authorization ?? "";
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (space > 0 && scheme === "bearer" && this.tokenDigest !== undefined) {
      return timingSafeEqual(digest(value), this.tokenDigest) ? "allowed" : "denied";
    }
    if (space > 0 && scheme === "basic" && this.authenticate !== undefined) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return "denied";
      try {
        const allowed = await this.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
        return allowed ? "allowed" : "denied";
      } catch {
        return "denied"; // a failing check refuses, as the broker's hooks do
      }
    }
    return "denied";
  }
}

/** Fixed-length digests, so the comparison takes the same time whatever the token's length. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
