/**
 * `value` with every byte view (a Node Buffer, a subarray) turned into a plain Uint8Array
 * and `undefined` object fields dropped, so that what two stores return compares equal
 * exactly when they hold the same data.
 */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) result[key] = plain(field);
    }
    return result;
  }
  return value;
}
