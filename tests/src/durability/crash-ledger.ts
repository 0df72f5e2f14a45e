/**
 * The crash test's bookkeeping: what each publisher sent and had acknowledged, what each
 * subscriber received, and the checks that turn them into violations.
 *
 * Design: messages are identified by (publisher index, sequence number); the payload is the
 * sequence number and the topic names the publisher. A publisher's stream messages go to
 * `crash/stream/<publisher>`; every `retainEvery`-th sequence number goes, retained, to
 * `crash/retained/<publisher>` instead. Acknowledged = MQTT.js called the publish callback
 * without an error (PUBACK for QoS 1, PUBCOMP for QoS 2). Abandoned = MQTT.js called it
 * with an error: it dropped a message it had queued but not yet written when a connection
 * closed ("Connection closed"); the broker never saw it and owes nothing for it.
 */

export const STREAM_PREFIX = "crash/stream/";
export const RETAINED_PREFIX = "crash/retained/";

/** What one publisher did. */
export interface PublisherLedger {
  readonly index: number;
  readonly qos: 1 | 2;
  /** Sequence numbers handed to MQTT.js. */
  sent: number;
  /** Acknowledged sequence numbers of the stream topic. */
  readonly ackedStream: Set<number>;
  /** Acknowledged sequence numbers of the retained topic. */
  readonly ackedRetained: Set<number>;
  /** Sequence numbers sent to the retained topic, in order. */
  readonly retainedSent: number[];
  /** Sequence numbers MQTT.js abandoned (see the module comment). */
  readonly abandoned: Set<number>;
  /** Reconnections whose CONNACK said the session (QoS 2 ids awaiting PUBREL) was gone. */
  sessionsLost: number;
}

/** The retained message a publisher must have left: its last one that was not abandoned. */
export function expectedRetained(publisher: PublisherLedger): number | undefined {
  return publisher.retainedSent.findLast((seq) => !publisher.abandoned.has(seq));
}

/** What one subscriber received from one publisher. */
export interface StreamReceipt {
  /** Sequence numbers in the order they first arrived. */
  readonly firstDeliveries: number[];
  /** How often each sequence number arrived. */
  readonly counts: Map<number, number>;
}

export interface SubscriberLedger {
  readonly clientId: string;
  readonly byPublisher: Map<number, StreamReceipt>;
  /** Payloads that name no known message (never expected; a corruption). */
  readonly unexpected: string[];
  /** Reconnections whose CONNACK said the session was gone. */
  sessionsLost: number;
}

export function newSubscriberLedger(clientId: string): SubscriberLedger {
  return { clientId, byPublisher: new Map(), unexpected: [], sessionsLost: 0 };
}

/** Records one PUBLISH a subscriber received. */
export function recordDelivery(
  ledger: SubscriberLedger,
  publishers: readonly PublisherLedger[],
  topic: string,
  payload: string,
): void {
  const publisherIndex = Number(topic.slice(STREAM_PREFIX.length));
  const seq = Number(payload);
  const publisher = publishers[publisherIndex];
  if (
    !topic.startsWith(STREAM_PREFIX) ||
    publisher === undefined ||
    !Number.isInteger(seq) ||
    seq < 0 ||
    seq >= publisher.sent
  ) {
    ledger.unexpected.push(`${topic}=${payload}`);
    return;
  }
  let receipt = ledger.byPublisher.get(publisherIndex);
  if (receipt === undefined) {
    receipt = { firstDeliveries: [], counts: new Map() };
    ledger.byPublisher.set(publisherIndex, receipt);
  }
  const count = receipt.counts.get(seq) ?? 0;
  if (count === 0) receipt.firstDeliveries.push(seq);
  receipt.counts.set(seq, count + 1);
}

/** True once `ledger` holds every acknowledged stream message of every publisher. */
export function hasEveryAcked(
  ledger: SubscriberLedger,
  publishers: readonly PublisherLedger[],
): boolean {
  return publishers.every((publisher) => {
    const counts = ledger.byPublisher.get(publisher.index)?.counts;
    for (const seq of publisher.ackedStream) if ((counts?.get(seq) ?? 0) === 0) return false;
    return true;
  });
}

export interface CrashTotals {
  /** Messages handed to MQTT.js, stream and retained. */
  sent: number;
  /** Acknowledged messages, stream and retained. */
  acked: number;
  /** Messages MQTT.js dropped before writing them (not the broker's to deliver). */
  abandoned: number;
  /** Stream deliveries to subscribers, first deliveries only. */
  delivered: number;
  /** Repeated QoS 1 deliveries (allowed: at least once). */
  duplicatesQoS1: number;
  /** Repeated QoS 2 deliveries (each one is a violation: exactly once). */
  duplicatesQoS2: number;
}

/**
 * Checks the ledgers; returns the totals and one line per violation: an acknowledged message
 * some subscriber never got, a QoS 2 message delivered twice, first deliveries out of a
 * publisher's order, a lost session, an unknown payload, a wrong retained message.
 *
 * Parameters: `retained` maps publisher index to the payload of its retained message as a
 * new subscriber received it (absent: none arrived).
 */
export function checkLedgers(
  publishers: readonly PublisherLedger[],
  subscribers: readonly SubscriberLedger[],
  retained: ReadonlyMap<number, string>,
): { totals: CrashTotals; violations: string[] } {
  const violations: string[] = [];
  const totals: CrashTotals = {
    sent: 0,
    acked: 0,
    abandoned: 0,
    delivered: 0,
    duplicatesQoS1: 0,
    duplicatesQoS2: 0,
  };
  for (const publisher of publishers) {
    if (publisher.sessionsLost > 0) {
      violations.push(
        `publisher ${publisher.index}: session lost ${publisher.sessionsLost} time(s)`,
      );
    }
    totals.sent += publisher.sent;
    totals.acked += publisher.ackedStream.size + publisher.ackedRetained.size;
    totals.abandoned += publisher.abandoned.size;
  }
  for (const subscriber of subscribers) {
    if (subscriber.sessionsLost > 0) {
      violations.push(`${subscriber.clientId}: session lost ${subscriber.sessionsLost} time(s)`);
    }
    for (const payload of subscriber.unexpected.slice(0, 5)) {
      violations.push(`${subscriber.clientId}: unexpected message ${payload}`);
    }
    for (const publisher of publishers) {
      const receipt = subscriber.byPublisher.get(publisher.index);
      const counts = receipt?.counts ?? new Map<number, number>();
      const missing = [...publisher.ackedStream].filter((seq) => !counts.has(seq));
      if (missing.length > 0) {
        violations.push(
          `${subscriber.clientId}: ${missing.length} acknowledged message(s) of publisher ` +
            `${publisher.index} never delivered, e.g. ${missing.slice(0, 10).join(", ")}`,
        );
      }
      totals.delivered += counts.size;
      for (const [seq, count] of counts) {
        if (count === 1) continue;
        if (publisher.qos === 2) {
          totals.duplicatesQoS2 += count - 1;
          violations.push(
            `${subscriber.clientId}: QoS 2 message ${publisher.index}:${seq} delivered ${count} times`,
          );
        } else {
          totals.duplicatesQoS1 += count - 1;
        }
      }
      const order = receipt?.firstDeliveries ?? [];
      const outOfOrder = order.findIndex(
        (seq, index) => index > 0 && seq < (order[index - 1] ?? 0),
      );
      if (outOfOrder > 0) {
        violations.push(
          `${subscriber.clientId}: publisher ${publisher.index} out of order: ` +
            `${order[outOfOrder - 1]} then ${order[outOfOrder]}`,
        );
      }
    }
  }
  for (const publisher of publishers) {
    const expected = expectedRetained(publisher);
    if (expected === undefined) continue;
    const got = retained.get(publisher.index);
    if (got !== String(expected)) {
      violations.push(
        `retained message of publisher ${publisher.index}: expected ${expected}, ` +
          `got ${got ?? "nothing"}`,
      );
    }
  }
  return { totals, violations };
}
