/**
 * JSON text for the session record fields that are not numbers: the subscription list and
 * the will. Shared by the durable stores (a SQLite text column, a Redis hash field).
 *
 * Design: both change rarely (SUBSCRIBE, CONNECT, DISCONNECT), never per message, so they
 * are JSON, readable with the store's own shell. JSON has no bytes, so every `Uint8Array`
 * (the will payload, 5.0 correlation data) becomes `{"$bytes": "<base64>"}`. The replacer
 * reads the original value from its holder because JSON.stringify would otherwise hand it
 * a Node Buffer's `toJSON()` form. The text is valid UTF-8. Plain base64 code, no Buffer.
 */
import type { Will } from "@ternmq/codec";
import { bytesToBase64, reviveBytes } from "../snapshot-json.js";
import type { StoredSubscription } from "./session-store.js";
import { type StoredDataErrorFactory, storedDataError } from "./stored-data-error.js";

function replaceBytes(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? { $bytes: bytesToBase64(original) } : value;
}

/** The subscription list as JSON text. */
export function subscriptionsToJson(subscriptions: readonly StoredSubscription[]): string {
  return JSON.stringify(subscriptions);
}

/**
 * Parses `subscriptionsToJson` output.
 *
 * Throws: `onError("the stored subscriptions", cause)` for text that is not JSON.
 */
export function subscriptionsFromJson(
  text: string,
  onError: StoredDataErrorFactory = storedDataError,
): StoredSubscription[] {
  return parseStored("the stored subscriptions", text, onError) as StoredSubscription[];
}

/** The will as JSON text, Uint8Array values as `{"$bytes": base64}`. */
export function willToJson(will: Will): string {
  return JSON.stringify(will, replaceBytes);
}

/**
 * Parses `willToJson` output, `{"$bytes": base64}` back to Uint8Array.
 *
 * Throws: `onError("a stored will", cause)` for text that is not JSON or bad base64.
 */
export function willFromJson(
  text: string,
  onError: StoredDataErrorFactory = storedDataError,
): Will {
  return parseStored("a stored will", text, onError, reviveBytes) as Will;
}

function parseStored(
  what: string,
  text: string,
  onError: StoredDataErrorFactory,
  reviver?: (key: string, value: unknown) => unknown,
): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw onError(what, error);
  }
}
