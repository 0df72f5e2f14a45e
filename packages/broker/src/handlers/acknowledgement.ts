/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP: the four acknowledgements are the session engine's
 * business entirely (outbound QoS 1/2 completion, PUBREL/PUBCOMP answers, and the queued
 * messages that a freed inflight slot lets out), so one handler serves all four.
 */
import type { PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from "@ternmq/codec";
import type { Connection } from "../connection.js";
import type { SessionEntry } from "../session-registry.js";
import type { Outcome } from "./outcome.js";

export function handleAcknowledgement(
  connection: Connection,
  entry: SessionEntry,
  packet: PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket,
): Outcome {
  const context = connection.context;
  context.applyOutbound(entry, entry.engine.handlePacket(packet, context.now()));
  connection.retained?.resume(); // a freed inflight slot lets a paused retained stream go on
  context.cluster?.roomFreed(entry); // and an inbox backlog in the cluster store
  return undefined;
}
