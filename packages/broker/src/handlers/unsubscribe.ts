/** UNSUBSCRIBE: removes each filter; UNSUBACK always, even when nothing matched [MQTT-3.10.4-5]. */
import type { UnsubscribePacket } from "@ternmq/codec";
import type { Connection } from "../connection.js";
import type { SessionEntry } from "../session-registry.js";
import type { Outcome } from "./outcome.js";

export function handleUnsubscribe(
  connection: Connection,
  entry: SessionEntry,
  packet: UnsubscribePacket,
): Outcome {
  const { registry, events, now } = connection.context;
  entry.engine.handlePacket(packet, now()); // packet id check [MQTT-2.3.1-2]
  const removed: string[] = [];
  for (const filter of packet.topicFilters) {
    if (registry.unsubscribe(entry, filter)) removed.push(filter); // [MQTT-3.10.4-1]
  }
  connection.send({ type: "unsuback", packetId: packet.packetId }); // [MQTT-3.10.4-4]
  if (removed.length > 0) {
    registry.subscriptionsChanged(entry);
    if (connection.client !== undefined) events.emit("unsubscribed", connection.client, removed);
  }
  return undefined;
}
