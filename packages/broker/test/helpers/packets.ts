/** Small builders and steps shared by the broker tests. */
import type { PublishPacket, QoS } from "@ternmq/codec";
import { expect } from "vitest";
import { bytes } from "./harness.js";
import type { RawClient } from "./raw-client.js";

/** SUBSCRIBE to one or more filters; returns the SUBACK return codes. */
export async function subscribe(
  client: RawClient,
  subscriptions: readonly (readonly [topicFilter: string, qos: QoS])[],
  packetId = 1,
): Promise<number[]> {
  client.send({
    type: "subscribe",
    packetId,
    subscriptions: subscriptions.map(([topicFilter, qos]) => ({ topicFilter, qos })),
  });
  const suback = await client.expect("suback");
  expect(suback.packetId).toBe(packetId);
  return [...suback.reasonCodes];
}

export function publishPacket(
  topic: string,
  payload: string,
  qos: QoS = 0,
  options: { packetId?: number; retain?: boolean } = {},
): PublishPacket {
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: bytes(payload),
    qos,
    retain: options.retain ?? false,
    dup: false,
  };
  if (qos > 0) packet.packetId = options.packetId ?? 1;
  return packet;
}

/** Publishes at QoS 1 and waits for the PUBACK (so the broker has routed and stored it). */
export async function publishAcked(
  client: RawClient,
  topic: string,
  payload: string,
  options: { packetId?: number; retain?: boolean } = {},
): Promise<void> {
  const packetId = options.packetId ?? 1;
  client.send(publishPacket(topic, payload, 1, { ...options, packetId }));
  expect((await client.expect("puback")).packetId).toBe(packetId);
}
