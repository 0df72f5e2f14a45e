/**
 * PUBLISH from a client: topic check, the inbound QoS flow (session engine), `$SYS`
 * protection, the `authorizePublish` hook, routing and retained storage, then the
 * acknowledgement.
 *
 * Design: the engine is used with manual acknowledgement, called right after routing in the
 * same synchronous stretch: the store writes routing made (persistent subscribers' journal,
 * the retained message) and, for QoS 2 from a persistent publisher, the journal of its
 * awaiting-PUBREL id therefore land in one group-commit transaction. The PUBACK (QoS 1) /
 * PUBREC (QoS 2) goes through the write-ahead gate: it leaves once all of them are durable.
 * The engine keeps acknowledgements in arrival order [MQTT-4.6.0-2]; the gate keeps a
 * connection's packets in order. The connection goes on reading meanwhile (acknowledgements
 * of many messages share one commit). The path allocates no Promise and no closure unless a
 * hook answers asynchronously or a store write is pending.
 */
import type { PublishPacket } from "@ternmq/codec";
import type { MessageEvent } from "@ternmq/session";
import type { Connection } from "../connection.js";
import { checkTopicName } from "../limits.js";
import type { SessionEntry } from "../session-registry.js";
import { isSysTopic } from "../sys-topic.js";
import { type MaybeAsyncOutcome, protocolError } from "./outcome.js";

export function handlePublish(
  connection: Connection,
  entry: SessionEntry,
  packet: PublishPacket,
): MaybeAsyncOutcome {
  const context = connection.context;
  context.stats.messagesReceived++;
  context.traffic.received[packet.qos]++;
  context.traffic.receivedBytes[packet.qos] += packet.payload.length;
  // [MQTT-3.3.2-2] no wildcards in a topic name; invalid names close the connection.
  const error = checkTopicName(packet.topic, context.settings); // and maxTopicLength
  if (error !== undefined) return protocolError(error);
  const step = entry.engine.handlePacket(packet, context.now());
  context.applyOutbound(entry, step);
  const events = step.events;
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    if (event?.type === "message") return acceptMessage(connection, entry, event);
  }
  return undefined; // a QoS 2 duplicate: PUBREC again, no second delivery [MQTT-4.3.3-2]
}

function acceptMessage(
  connection: Connection,
  entry: SessionEntry,
  event: MessageEvent,
): MaybeAsyncOutcome {
  const message = event.message;
  const client = connection.client;
  if (client === undefined) return undefined;
  if (isSysTopic(message.topic)) {
    connection.context.logger.info(
      { clientId: client.clientId, topic: message.topic },
      "PUBLISH to $SYS by a client dropped",
    );
    return acknowledge(connection, entry, event);
  }
  const allowed = connection.context.hooks.authorizePublish(client, message.topic, message);
  if (allowed === true) return forward(connection, entry, event);
  if (allowed === false) return refuse(connection, entry, event);
  return allowed.then((ok) =>
    ok ? forward(connection, entry, event) : refuse(connection, entry, event),
  );
}

/** authorizePublish said no: acknowledged as its QoS requires (3.1.1 has no refusal), logged. */
function refuse(connection: Connection, entry: SessionEntry, event: MessageEvent): undefined {
  connection.context.logger.info(
    { clientId: connection.client?.clientId, topic: event.message.topic },
    "PUBLISH not authorized: dropped",
  );
  return acknowledge(connection, entry, event);
}

function forward(connection: Connection, entry: SessionEntry, event: MessageEvent): undefined {
  const writes = connection.context.writes;
  const mark = writes.issued;
  // A failed store write stops the broker (the write-ahead gate reports it): not awaited.
  connection.context.publish(event.message, connection.client);
  return acknowledge(connection, entry, event, writes.wroteSince(mark));
}

/**
 * PUBACK / PUBREC for a message the broker has taken (3.1.1 has no negative ack), once the
 * store writes made while routing it are durable (`afterWrites`).
 */
function acknowledge(
  connection: Connection,
  entry: SessionEntry,
  event: MessageEvent,
  afterWrites = false,
): undefined {
  if (event.ackRequired && event.packetId !== undefined && connection.state === "connected") {
    const context = connection.context;
    const step = entry.engine.acknowledge(event.packetId, context.now());
    context.applyOutbound(entry, step, afterWrites);
  }
  return undefined;
}
