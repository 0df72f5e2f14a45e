/**
 * PubSubClient's subscribe() does not wait for SUBACK (2.8 neither), so a test cannot know
 * when a sketch's subscription is in place. Publishing until the sketch has received the
 * message removes that race without a fixed sleep.
 */
import type { ConnectedClient } from "../helpers/mqttjs-clients.js";
import { sleep } from "../helpers/with-timeout.js";

export interface PublishUntilOptions {
  readonly qos?: 0 | 1;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/** Publishes `payload` to `topic` every `intervalMs` until `arrived()` holds (bounded). */
export async function publishUntil(
  publisher: ConnectedClient,
  topic: string,
  payload: string,
  arrived: () => boolean,
  describeWait: () => string,
  { qos = 0, timeoutMs = 4000, intervalMs = 50 }: PublishUntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!arrived()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${describeWait()}`);
    }
    await publisher.client.publishAsync(topic, payload, { qos });
    await sleep(intervalMs);
  }
}
