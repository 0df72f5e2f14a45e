/**
 * JSON form of a SessionSnapshot, for stores that keep text (files, Redis strings).
 *
 * Design: JSON has no binary type, so every Uint8Array in the snapshot (payloads, 5.0
 * correlation data) becomes `{ "$bytes": "<base64>" }` and is turned back into a
 * Uint8Array on the way in. Plain base64 code, no Buffer, so it runs in browsers.
 * `snapshotFromJson` validates the result like a session restore would.
 */
import type { SessionSnapshot } from "./snapshot.js";
import { validateSnapshot } from "./snapshot-validation.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) DECODE[ALPHABET.charCodeAt(index)] = index;

export function bytesToBase64(bytes: Uint8Array): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] ?? 0;
    const b = bytes[index + 1] ?? 0;
    const c = bytes[index + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    text += ALPHABET.charAt(triple >> 18) + ALPHABET.charAt((triple >> 12) & 63);
    text += index + 1 < bytes.length ? ALPHABET.charAt((triple >> 6) & 63) : "=";
    text += index + 2 < bytes.length ? ALPHABET.charAt(triple & 63) : "=";
  }
  return text;
}

export function base64ToBytes(text: string): Uint8Array {
  const length = text.length;
  if (length % 4 !== 0) throw new TypeError("base64 text length is not a multiple of 4");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((length / 4) * 3 - padding);
  let out = 0;
  for (let index = 0; index < length; index += 4) {
    let triple = 0;
    for (let offset = 0; offset < 4; offset++) {
      const char = text.charCodeAt(index + offset);
      const value = char === 61 /* = */ ? 0 : (DECODE[char] ?? -1);
      if (value < 0) throw new TypeError(`invalid base64 character at ${index + offset}`);
      triple = (triple << 6) | value;
    }
    if (out < bytes.length) bytes[out++] = triple >> 16;
    if (out < bytes.length) bytes[out++] = (triple >> 8) & 255;
    if (out < bytes.length) bytes[out++] = triple & 255;
  }
  return bytes;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bytes: bytesToBase64(value) } : value;
}

/** JSON.parse reviver turning `{ "$bytes": base64 }` back into a Uint8Array. */
export function reviveBytes(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const bytes = (value as { $bytes?: unknown }).$bytes;
    if (typeof bytes === "string" && Object.keys(value).length === 1) return base64ToBytes(bytes);
  }
  return value;
}

/** The snapshot as JSON text, Uint8Array values as `{ "$bytes": base64 }`. */
export function snapshotToJson(snapshot: SessionSnapshot): string {
  return JSON.stringify(snapshot, replacer);
}

/**
 * Parses `snapshotToJson` output back into a snapshot.
 *
 * Throws: SyntaxError for text that is not JSON; MQTT_ERR_SESSION_SNAPSHOT_VERSION /
 * MQTT_ERR_SESSION_SNAPSHOT_INVALID for JSON that is not a resumable snapshot.
 */
export function snapshotFromJson(json: string): SessionSnapshot {
  const snapshot = JSON.parse(json, reviveBytes) as SessionSnapshot;
  validateSnapshot(snapshot);
  return snapshot;
}
