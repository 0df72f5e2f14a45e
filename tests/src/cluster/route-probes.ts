/**
 * Waiting on a cluster without sleeping. Routes propagate through Redis pub/sub: a
 * subscription made on node B is known on node A a few milliseconds after its SUBACK, not at
 * it. So a test that publishes on A first publishes probe messages there until B's subscriber
 * has one (then A knows the route), and proves "nothing more will come" with a fence: a probe
 * sent after the messages under test, from the node that would have sent any further copy.
 * Messages from one node to another keep their order (one Redis channel per destination), so
 * once the fence has arrived, every earlier message from that node has arrived too.
 *
 * Probe payloads start with "probe:"; tests drop them with `dataMessages`.
 */
import type { MqttClient } from "mqtt";
import type { ReceivedMessage } from "../helpers/mqttjs-clients.js";
import { sleep } from "../helpers/with-timeout.js";

const PROBE_PREFIX = "probe:";
/** Pause between two probes: long enough for a local round trip, short for a route's delay. */
const PROBE_INTERVAL_MS = 20;
const defaultProbeTimeoutMs = 5_000;

export function isProbe(payload: string): boolean {
  return payload.startsWith(PROBE_PREFIX);
}

/** The messages that are not probes, in arrival order. */
export function dataMessages<Message extends { payload: string }>(
  messages: readonly Message[],
): Message[] {
  return messages.filter((message) => !isProbe(message.payload));
}

/**
 * Publishes probes `probe:<tag>:<n>` through `publish` until `arrived(tag)` holds; fails
 * readably after `timeoutMs`.
 */
export async function probeUntil(
  publish: (payload: string) => unknown,
  arrived: (tag: string) => boolean,
  describe: () => string,
  timeoutMs = defaultProbeTimeoutMs,
): Promise<void> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const deadline = Date.now() + timeoutMs;
  for (let count = 0; !arrived(tag); count += 1) {
    if (Date.now() > deadline) {
      throw new Error(`no probe arrived in ${timeoutMs} ms (${count} sent): ${describe()}`);
    }
    await publish(`${PROBE_PREFIX}${tag}:${count}`);
    await sleep(PROBE_INTERVAL_MS);
  }
}

/** Whether `messages` hold a probe of `tag`. */
export function hasProbe(messages: readonly { payload: string }[], tag: string): boolean {
  const prefix = `${PROBE_PREFIX}${tag}:`;
  return messages.some((message) => message.payload.startsWith(prefix));
}

/**
 * Probes (QoS 0) from `publisher` on `topic` until every receiver has one: afterwards the
 * publisher's node routes `topic` to every receiver's node, and every message that node sent
 * them before has arrived.
 */
export async function probeClients(
  publisher: MqttClient,
  topic: string,
  receivers: readonly { messages: readonly ReceivedMessage[] }[],
  timeoutMs = defaultProbeTimeoutMs,
): Promise<void> {
  await probeUntil(
    (payload) => publisher.publishAsync(topic, payload, { qos: 0 }),
    (tag) => receivers.every((receiver) => hasProbe(receiver.messages, tag)),
    () => `${topic} from ${publisher.options.clientId} to ${receivers.length} receiver(s)`,
    timeoutMs,
  );
}
