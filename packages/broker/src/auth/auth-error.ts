/**
 * Errors of the password and ACL files: a stable `code`, the file name and the 1-based line
 * number (undefined when the whole file is at fault, e.g. unreadable).
 */
import { MqttError } from "@ternmq/codec";

export type AuthFileErrorCode =
  /** The file cannot be read (missing, permissions). */
  | "MQTT_ERR_AUTH_FILE_UNREADABLE"
  /** A password file line is not `user:hash`, or the user name is empty. */
  | "MQTT_ERR_AUTH_PASSWORD_LINE"
  /** A password hash is not `$scrypt$N$r$p$salt$hash` with valid parameters. */
  | "MQTT_ERR_AUTH_PASSWORD_HASH"
  /** The same user appears twice in the password file. */
  | "MQTT_ERR_AUTH_DUPLICATE_USER"
  /** An ACL line starts with an unknown keyword or has the wrong number of words. */
  | "MQTT_ERR_AUTH_ACL_SYNTAX"
  /** An ACL access word other than read, write, readwrite. */
  | "MQTT_ERR_AUTH_ACL_ACCESS"
  /** An ACL topic filter that is not a valid MQTT filter, or an unknown `%` escape. */
  | "MQTT_ERR_AUTH_ACL_FILTER";

export class AuthFileError extends MqttError<AuthFileErrorCode> {
  readonly fileName: string;
  readonly line: number | undefined;

  constructor(
    code: AuthFileErrorCode,
    message: string,
    location: { fileName: string; line?: number; cause?: unknown },
  ) {
    const where =
      location.line === undefined ? location.fileName : `${location.fileName}:${location.line}`;
    super(code, `${where}: ${message}`, { cause: location.cause });
    this.fileName = location.fileName;
    this.line = location.line;
  }

  static isAuthFileError(value: unknown): value is AuthFileError {
    return MqttError.hasCodePrefix(value, "MQTT_ERR_AUTH_");
  }
}
