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
  const changed = removed.length > 0;
  // Write-ahead: a persistent session's UNSUBACK leaves once its subscription list is stored.
  if (changed) registry.subscriptionsChanged(entry);
  const unsuback = { type: "unsuback", packetId: packet.packetId } as const; // [MQTT-3.10.4-4]
  connection.context.writes.send(connection, [unsuback], entry.persistent && changed);
  if (changed && connection.client !== undefined) {
    events.emit("unsubscribed", connection.client, removed);
  }
  return undefined;
}
