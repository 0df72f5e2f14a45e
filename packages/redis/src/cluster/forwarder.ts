/**
 * Routes one message published on this node to the rest of the cluster: to the inboxes of
 * matching persistent sessions that this node does not hold, and to the frames of the other
 * nodes whose clean sessions have a matching filter.
 *
 * Design: the hot path of the cluster. Both route trees are matched with shared module-level
 * callbacks and this object as their context, so a message that matches nothing allocates
 * nothing. A persistent session is matched once, at its highest granted QoS
 * (`forEachSubscriber`), and gets the message at min(publish QoS, granted QoS) without the
 * retain flag ([MQTT-3.3.1-9]: a message that matches an established subscription is sent
 * with RETAIN 0). Frames keep the flag: the receiving broker applies the rule itself. A node is matched once however many of its
 * filters match; its message header is encoded on the first destination and shared by all.
 */

import type { BrokerMessage, ClusterNode } from "@ternmq/broker";
import type { QoS } from "@ternmq/codec";
import type { ClusterData } from "./cluster-data.js";
import type { FrameOutbox } from "./frame-outbox.js";
import { encodeHeader } from "./message-frame.js";
import type { RouteCache } from "./route-cache.js";

export class Forwarder {
  /** Messages appended to inboxes of persistent sessions this node does not hold. */
  inboxAppended = 0;
  /** Messages queued for other nodes (one per message and destination node). */
  messagesForwarded = 0;
  /** The message being forwarded, and what its routing produced so far. */
  message: BrokerMessage | undefined;
  header: Buffer | undefined;
  write: Promise<void> | undefined;

  constructor(
    readonly nodeId: string,
    readonly node: ClusterNode,
    readonly data: ClusterData,
    readonly routes: RouteCache,
    readonly outbox: FrameOutbox,
  ) {}

  /** Routes `message`; returns the inbox write to track, or undefined when there was none. */
  forward(message: BrokerMessage): Promise<void> | undefined {
    this.message = message;
    this.routes.persistentRoutes.forEachSubscriber(message.topic, grantedQoS, pushToInbox, this);
    this.routes.nodeRoutes.forEachSubscriber(message.topic, sameRank, sendToNode, this);
    const write = this.write;
    this.message = undefined;
    this.header = undefined;
    this.write = undefined;
    return write;
  }
}

function grantedQoS(qos: QoS): number {
  return qos;
}

function sameRank(): number {
  return 0;
}

function pushToInbox(clientId: string, granted: QoS, _filter: string, pass: Forwarder): void {
  if (pass.node.hasSession(clientId)) return;
  const message = pass.message as BrokerMessage;
  const write = pass.data.inboxPush(clientId, {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos < granted ? message.qos : granted,
    retain: false,
  });
  // Every push of one turn commits in the same Redis transaction: tracking the last one is
  // tracking them all, and the earlier ones must not become unhandled rejections.
  if (pass.write !== undefined && pass.write !== write) pass.write.catch(ignore);
  pass.write = write;
  pass.inboxAppended++;
}

function sendToNode(nodeId: string, _value: 0, _filter: string, pass: Forwarder): void {
  if (nodeId === pass.nodeId) return;
  const message = pass.message as BrokerMessage;
  pass.header ??= encodeHeader(message);
  pass.outbox.add(nodeId, pass.header, message.payload);
  pass.messagesForwarded++;
}

function ignore(): void {}
