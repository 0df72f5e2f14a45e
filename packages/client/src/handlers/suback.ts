/**
 * SUBACK: the engine matched it to its SUBSCRIBE; this turns its return codes into the
 * result (or refusal) of `subscribe()`.
 */
import type { Subscription } from "@ternmq/codec";
import type { SubscribeResult } from "../api-types.js";
import { ClientError } from "../errors.js";

/**
 * One result per requested filter, in order [MQTT-3.9.3-1]: the granted QoS, or 0x80 for a
 * refused filter (any other code is treated as a refusal). With `rejectOnFailure`, a refusal
 * also gives MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED for `subscribe()` to reject with.
 */
export function subscribeResults(
  subscriptions: readonly Subscription[],
  reasonCodes: readonly number[],
  rejectOnFailure: boolean,
): { results: SubscribeResult[]; error: ClientError | undefined } {
  const results = subscriptions.map((subscription, index): SubscribeResult => {
    const code = reasonCodes[index];
    const returnCode = code === 0 || code === 1 || code === 2 ? code : 0x80;
    return { topicFilter: subscription.topicFilter, returnCode };
  });
  if (rejectOnFailure && results.some((result) => result.returnCode === 0x80)) {
    return {
      results,
      error: new ClientError("MQTT_ERR_CLIENT_SUBSCRIBE_REFUSED", "the server refused a filter", {
        spec: "MQTT-3.9.3-1",
        returnCodes: results.map((result) => result.returnCode),
      }),
    };
  }
  return { results, error: undefined };
}
