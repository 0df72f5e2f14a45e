/**
 * The error every config-file failure raises: a stable `code`, the offending `key` (a dotted
 * path such as "limits.maxInflight") and the file it came from.
 */
const brand: unique symbol = Symbol.for("@ternmq/error") as never;

export type ConfigErrorCode =
  /** The file could not be read (missing, unreadable). */
  | "MQTT_ERR_CONFIG_READ"
  /** The file is not valid YAML or JSON. */
  | "MQTT_ERR_CONFIG_SYNTAX"
  /** A key that the broker does not know (often a typo). */
  | "MQTT_ERR_CONFIG_UNKNOWN_KEY"
  /** A value of the wrong type (a string where a number is expected, ...). */
  | "MQTT_ERR_CONFIG_INVALID_TYPE"
  /** A value of the right type outside its range or set (port 70000, maxQoS 3, ...). */
  | "MQTT_ERR_CONFIG_INVALID_VALUE";

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** Dotted path of the bad key; undefined for read and syntax errors of the whole file. */
  readonly key: string | undefined;
  readonly file: string;
  readonly [brand] = true;

  constructor(code: ConfigErrorCode, file: string, key: string | undefined, message: string) {
    super(`${file}: ${message}`);
    this.name = "ConfigError";
    this.code = code;
    this.file = file;
    this.key = key;
  }

  static isInstance(value: unknown): value is ConfigError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true &&
      typeof (value as { code?: unknown }).code === "string" &&
      (value as { code: string }).code.startsWith("MQTT_ERR_CONFIG_")
    );
  }
}
