/**
 * Routing: the subscription tree of every session, and the fan-out of one PUBLISH.
 *
 * Design: one `SubscriptionTree` keyed by SessionEntry (no client-id lookup per delivery),
 * whose values are three shared frozen `{ qos }` objects (no allocation per subscription).
 * `route()` walks the tree once: `forEachSubscriber` reports each session once, at the
 * highest granted QoS of its matching subscriptions [MQTT-3.3.5-1], and each `$share/g/f`
 * group gives the message to one member, round robin, preferring a connected member. The
 * message is handed to each session engine at min(publish QoS, granted QoS) [MQTT-3.8.4-6]
 * as one of at most three SessionMessage objects per PUBLISH (one per QoS), all sharing the
 * payload. When a connection writes a PUBLISH of the message being routed, `chunksFor` gives
 * it the bytes from one `preparePublish` template (only the flags and packet id differ), so
 * the topic is encoded once per PUBLISH, not once per subscriber.
 */
import { type PreparedPublish, type PublishPacket, preparePublish, type QoS } from "@ternmq/codec";
import type { ServerSession, SessionMessage, Step } from "@ternmq/session";
import { isSharedSubscription, type SharedGroup, SubscriptionTree } from "@ternmq/topics";
import type { SessionEntry } from "./session-registry.js";
import type { BrokerMessage } from "./types.js";

/** The value stored per subscription. */
interface Granted {
  readonly qos: QoS;
}

const GRANTED: readonly Granted[] = [
  Object.freeze({ qos: 0 }),
  Object.freeze({ qos: 1 }),
  Object.freeze({ qos: 2 }),
];

/** What the router needs from the broker: the clock and how to carry out an engine Step. */
export interface RouterHost {
  now(): number;
  applyOutbound(entry: SessionEntry, step: Step): void;
}

/** One PUBLISH being routed: the per-QoS messages and the encoding template, made lazily. */
class Delivery {
  prepared: PreparedPublish | undefined;
  private readonly byQoS: (SessionMessage | undefined)[] = [undefined, undefined, undefined];

  constructor(
    readonly router: Router,
    readonly message: BrokerMessage,
    readonly now: number,
    /** A message from another cluster node: persistent sessions got it through their inbox. */
    readonly cleanOnly: boolean,
  ) {}

  /** The message to hand to a subscriber at `qos`; RETAIN is 0 for live messages [MQTT-3.3.1-9]. */
  messageAt(qos: QoS): SessionMessage {
    let message = this.byQoS[qos];
    if (message === undefined) {
      const { topic, payload } = this.message;
      message = { topic, payload, qos, retain: false };
      this.byQoS[qos] = message;
    }
    return message;
  }
}

/** The lower of two QoS levels (delivery at min(publish QoS, granted QoS) [MQTT-3.8.4-6]). */
export function minQoS(a: QoS, b: QoS): QoS {
  return Math.min(a, b) as QoS;
}

function qosOf(granted: Granted): number {
  return granted.qos;
}

function deliverToSubscriber(
  entry: SessionEntry,
  granted: Granted,
  _filter: string,
  delivery: Delivery,
): void {
  if (delivery.cleanOnly && entry.persistent) return;
  const publishQoS = delivery.message.qos;
  delivery.router.deliver(entry, delivery.messageAt(minQoS(granted.qos, publishQoS)), delivery.now);
}

function deliverToGroup(group: SharedGroup<Granted, SessionEntry>, delivery: Delivery): void {
  let chosen = -1;
  for (let tries = 0; tries < group.size; tries++) {
    const index = group.nextIndex();
    if (chosen === -1) chosen = index;
    if (group.subscriberIdAt(index).connection !== undefined) {
      chosen = index;
      break;
    }
  }
  deliverToSubscriber(group.subscriberIdAt(chosen), group.valueAt(chosen), group.filter, delivery);
}

/**
 * Cluster mode: takes a message for a persistent session whose inbox in the shared store is
 * not drained yet, so that it queues behind the older messages there (see cluster-link.ts).
 */
export interface InboxGate {
  /** True when `message` went to the inbox of `entry` instead of its engine. */
  redirect(entry: SessionEntry, message: SessionMessage): boolean;
}

export class Router {
  private readonly tree: SubscriptionTree<Granted, SessionEntry>;
  private current: Delivery | undefined;
  /** Set by the Broker in cluster mode. */
  inboxGate: InboxGate | undefined;

  constructor(
    private readonly host: RouterHost,
    maxLevels: number,
  ) {
    this.tree = new SubscriptionTree({ maxLevels });
  }

  /** Every subscription, shared ones included. */
  get subscriptionCount(): number {
    return this.tree.subscriptionCount + this.tree.sharedSubscriptionCount;
  }

  /** Adds or replaces [MQTT-3.8.4-3] the subscription of `entry` to a validated `filter`. */
  subscribe(entry: SessionEntry, filter: string, qos: QoS): void {
    const granted = GRANTED[qos] as Granted;
    if (isSharedSubscription(filter)) this.tree.addShared(filter, entry, granted);
    else this.tree.add(filter, entry, granted);
  }

  unsubscribe(entry: SessionEntry, filter: string): boolean {
    return isSharedSubscription(filter)
      ? this.tree.removeShared(filter, entry)
      : this.tree.remove(filter, entry);
  }

  /**
   * Delivers `message` to every matching subscription; with `cleanOnly` (a message from
   * another cluster node) to clean sessions only.
   */
  route(message: BrokerMessage, cleanOnly = false): void {
    const delivery = new Delivery(this, message, this.host.now(), cleanOnly);
    // Saved and restored: an event listener called during delivery may publish again.
    const previous = this.current;
    this.current = delivery;
    try {
      this.tree.forEachSubscriber(message.topic, qosOf, deliverToSubscriber, delivery);
      this.tree.forEachSharedGroup(message.topic, deliverToGroup, delivery);
    } finally {
      this.current = previous;
    }
  }

  /** Hands one message to one session's engine (sent now, queued, or dropped by it). */
  deliver(entry: SessionEntry, message: SessionMessage, now: number): void {
    if (
      this.inboxGate !== undefined &&
      entry.persistent &&
      this.inboxGate.redirect(entry, message)
    ) {
      return;
    }
    const engine: ServerSession = entry.engine;
    this.host.applyOutbound(entry, engine.publish(message, now));
  }

  /**
   * [head, payload] of `packet` from the template of the PUBLISH being routed, or undefined
   * when `packet` is another message (a resend, a queued or retained message).
   */
  chunksFor(packet: PublishPacket): readonly Uint8Array[] | undefined {
    return this.templateFor(packet)?.chunks(packet.qos, packet.packetId, packet.dup, packet.retain);
  }

  /** The whole PUBLISH in one buffer from the routed message's template (small payloads). */
  bytesFor(packet: PublishPacket): Uint8Array | undefined {
    return this.templateFor(packet)?.encode(packet.qos, packet.packetId, packet.dup, packet.retain);
  }

  /** The encoding template of the PUBLISH being routed, if `packet` is that message. */
  private templateFor(packet: PublishPacket): PreparedPublish | undefined {
    const delivery = this.current;
    if (
      delivery === undefined ||
      packet.payload !== delivery.message.payload ||
      packet.topic !== delivery.message.topic
    ) {
      return undefined;
    }
    if (delivery.prepared === undefined) {
      const { topic, payload } = delivery.message;
      const template = { type: "publish", topic, payload, retain: false } as const;
      // Levels 3 and 4 share the PUBLISH layout (the broker does not speak 5.0 yet).
      delivery.prepared = preparePublish(template, { protocolVersion: 4 });
    }
    return delivery.prepared;
  }
}
