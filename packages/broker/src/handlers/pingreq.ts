/** PINGREQ: the engine answers PINGRESP [MQTT-3.12.4-1] and notes the time for keepalive. */
import type { PingreqPacket } from "@ternmq/codec";
import type { Connection } from "../connection.js";
import type { SessionEntry } from "../session-registry.js";
import type { Outcome } from "./outcome.js";

export function handlePingreq(
  connection: Connection,
  entry: SessionEntry,
  packet: PingreqPacket,
): Outcome {
  const context = connection.context;
  context.applyOutbound(entry, entry.engine.handlePacket(packet, context.now()));
  return undefined;
}
