/**
 * Turns Redis failures into `StoreError`s that name what was being done and the cause.
 *
 * Design: the Lua ops never raise for a rejected change (they return a code, see
 * batch-script.ts); what reaches here is Redis refusing or failing a command. Redis's
 * `OOM command not allowed` (maxmemory reached with a policy that does not evict) maps to
 * `MQTT_ERR_STORE_FULL`, a stored value that does not decode to `MQTT_ERR_STORE_CORRUPT`,
 * anything else to `MQTT_ERR_STORE_IO`. The original error is the `cause`; `file` is left
 * unset (there is no file), the message names the Redis URL.
 */
import { StoreError, type StoreErrorCode } from "@ternmq/session";

/** The `code` of errors raised while decoding a stored value (see `badStoredData`). */
const BAD_STORED_DATA = "ERR_TERNMQ_BAD_STORED_DATA";

/** An error for a stored value that does not decode; maps to MQTT_ERR_STORE_CORRUPT. */
export function badStoredData(what: string, cause: unknown): Error {
  const error = new Error(`${what} does not decode`, { cause }) as Error & { code: string };
  error.code = BAD_STORED_DATA;
  return error;
}

/** The store code for a Redis error, a decoding error or anything else. */
export function storeCodeOf(error: unknown): StoreErrorCode {
  if (typeof error === "object" && error !== null) {
    if ((error as { code?: unknown }).code === BAD_STORED_DATA) return "MQTT_ERR_STORE_CORRUPT";
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message.startsWith("OOM ")) return "MQTT_ERR_STORE_FULL";
  }
  return "MQTT_ERR_STORE_IO";
}

/**
 * A `StoreError` for `error` raised while doing `action` on the Redis at `where`.
 *
 * Returns: `error` itself when it is a StoreError already; else an error whose message reads
 * "<where>: <action> failed: <Redis message>", with `error` as the cause.
 */
export function storeErrorFrom(
  where: string,
  action: string,
  error: unknown,
  clientId?: string,
): StoreError {
  if (StoreError.isStoreError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(storeCodeOf(error), `${where}: ${action} failed: ${detail}`, {
    cause: error,
    ...(clientId === undefined ? {} : { clientId }),
  });
}
