/**
 * Text of the record fields that are not numbers: the subscription list and the will (kept
 * in the session hash and, for wills of live connections, in `P w:{node}`).
 *
 * Design: both change rarely (SUBSCRIBE, CONNECT, DISCONNECT), never per message, so they
 * are JSON, readable with `redis-cli`. JSON has no bytes, so every `Uint8Array` (the will
 * payload, 5.0 correlation data) becomes `{"$bytes": "<base64>"}`. The replacer reads the
 * original value from its holder because JSON.stringify would otherwise hand it a Node
 * Buffer's `toJSON()` form. Being valid UTF-8, this text can also travel inside the JSON
 * results of a Lua op (batch-script.ts).
 */
import type { Will } from "@ternmq/codec";
import type { StoredSubscription } from "@ternmq/session";
import { badStoredData } from "./errors.js";

function replaceBytes(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array
    ? {
        $bytes: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString(
          "base64",
        ),
      }
    : value;
}

function reviveBytes(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const bytes = (value as { $bytes?: unknown }).$bytes;
    if (typeof bytes === "string" && Object.keys(value).length === 1) {
      return new Uint8Array(Buffer.from(bytes, "base64"));
    }
  }
  return value;
}

export function encodeSubscriptions(subscriptions: readonly StoredSubscription[]): string {
  return JSON.stringify(subscriptions);
}

export function decodeSubscriptions(text: string): StoredSubscription[] {
  return parseStored("the stored subscriptions", text) as StoredSubscription[];
}

export function encodeWill(will: Will): string {
  return JSON.stringify(will, replaceBytes);
}

export function decodeWill(text: string): Will {
  return parseStored("a stored will", text, reviveBytes) as Will;
}

function parseStored(
  what: string,
  text: string,
  reviver?: (key: string, value: unknown) => unknown,
): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw badStoredData(what, error);
  }
}
