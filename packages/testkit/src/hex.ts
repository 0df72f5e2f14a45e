/**
 * Hex fixtures with comments, so byte vectors read like the specification's tables:
 *
 *   hex`
 *     30 0d        // PUBLISH, QoS 0, remaining length 13
 *     00 03 61 2f 62  // topic "a/b"
 *   `
 *
 * Everything after `//` or `#` on a line is ignored, as is whitespace.
 */
export function hex(strings: TemplateStringsArray | string, ...values: unknown[]): Uint8Array {
  const text =
    typeof strings === "string"
      ? strings
      : strings.reduce(
          (acc, part, index) => acc + part + (index < values.length ? String(values[index]) : ""),
          "",
        );
  const digits = text
    .split("\n")
    .map((line) => line.replace(/(\/\/|#).*$/, ""))
    .join("")
    .replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) {
    throw new Error(`hex fixture has an odd digit count or a non-hex character: ${digits}`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = Number.parseInt(digits.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

/** Bytes as space-separated lowercase hex, for readable assertion failures. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}
