/**
 * A tiny declarative validator for configuration objects: each field declares its type and
 * range, and `validate` reports the first bad key by its dotted path.
 */
import { ConfigError } from "./config-error.js";

export type FieldSchema =
  | { readonly kind: "integer"; readonly min: number; readonly max?: number }
  | { readonly kind: "number"; readonly min: number }
  | { readonly kind: "string" }
  | { readonly kind: "boolean" }
  | { readonly kind: "oneOf"; readonly values: readonly (string | number)[] }
  | { readonly kind: "object"; readonly fields: ObjectFields }
  | { readonly kind: "list"; readonly items: FieldSchema };

export type ObjectFields = { readonly [key: string]: FieldSchema };

/** What a field of this kind must be, for error messages ("an integer from 0 to 65535"). */
function expected(schema: FieldSchema): string {
  switch (schema.kind) {
    case "integer":
      return schema.max === undefined
        ? `an integer >= ${schema.min}`
        : `an integer from ${schema.min} to ${schema.max}`;
    case "number":
      return `a number >= ${schema.min}`;
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "oneOf":
      return `one of ${schema.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "object":
      return "a mapping of keys to values";
    case "list":
      return `a list of ${expected(schema.items)}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${JSON.stringify(value)} (${typeof value})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JavaScript type a field of this kind holds; "oneOf" fields take the type of their values. */
function hasRightType(schema: FieldSchema, value: unknown): boolean {
  switch (schema.kind) {
    case "integer":
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "oneOf":
      return schema.values.some((allowed) => typeof allowed === typeof value);
    case "object":
      return isPlainObject(value);
    case "list":
      return Array.isArray(value);
  }
}

function isInRange(schema: FieldSchema, value: unknown): boolean {
  switch (schema.kind) {
    case "integer":
      return (
        Number.isInteger(value) &&
        (value as number) >= schema.min &&
        (schema.max === undefined || (value as number) <= schema.max)
      );
    case "number":
      return Number.isFinite(value) && (value as number) >= schema.min;
    case "oneOf":
      return schema.values.includes(value as string | number);
    default:
      return true;
  }
}

/**
 * Checks `value` against `schema`; throws a ConfigError naming the first bad key.
 *
 * Parameters: the parsed value, its schema, the file name (for messages), the dotted path of
 * `value` ("" for the root).
 */
export function validate(value: unknown, schema: FieldSchema, file: string, path = ""): void {
  const key = path === "" ? "(top level)" : path;
  if (!hasRightType(schema, value)) {
    throw new ConfigError(
      "MQTT_ERR_CONFIG_INVALID_TYPE",
      file,
      path === "" ? undefined : path,
      `"${key}" must be ${expected(schema)}, got ${describeValue(value)}`,
    );
  }
  if (!isInRange(schema, value)) {
    throw new ConfigError(
      "MQTT_ERR_CONFIG_INVALID_VALUE",
      file,
      path,
      `"${key}" must be ${expected(schema)}, got ${describeValue(value)}`,
    );
  }
  if (schema.kind === "list") {
    (value as unknown[]).forEach((item, index) => {
      validate(item, schema.items, file, `${path}[${index}]`);
    });
    return;
  }
  if (schema.kind !== "object") return;
  const object = value as Record<string, unknown>;
  for (const [name, fieldValue] of Object.entries(object)) {
    const fieldPath = path === "" ? name : `${path}.${name}`;
    const fieldSchema = Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    if (fieldSchema === undefined) {
      throw new ConfigError(
        "MQTT_ERR_CONFIG_UNKNOWN_KEY",
        file,
        fieldPath,
        `unknown key "${fieldPath}" (known keys${path === "" ? "" : ` of "${path}"`}: ${Object.keys(schema.fields).join(", ")})`,
      );
    }
    validate(fieldValue, fieldSchema, file, fieldPath);
  }
}
