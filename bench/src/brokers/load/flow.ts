/**
 * A message flow: publishers and subscribers on raw sockets, run in phases of a given number
 * of messages per publisher. Used by every throughput and latency scenario.
 *
 * Design: each publisher may have at most `window` messages that have not yet reached their
 * subscribers (and, at QoS 1/2, at most `window` unacknowledged packet ids), so the broker is
 * kept busy without being flooded faster than it delivers: what is measured is the sustained
 * rate, not how much a broker can buffer. Optionally a publisher is also held to a fixed rate.
 * Messages leave in batches (one buffer, one write, up to BATCH_MESSAGES) built from a
 * pre-encoded template; each carries its publisher index, sequence number and send time.
 * Subscribers check per publisher that sequence numbers arrive in order without gaps (where a
 * flow is `ordered`), acknowledge QoS 1/2 at once, and may record latencies.
 *
 * Publisher state: `sent` (next sequence number), `target` (end of the current phase),
 * `acknowledged`, `delivered` (deliveries counted by all subscribers), free packet ids as a
 * stack, `draining` while the socket's buffer is full.
 */
import type { QoS } from "@ternmq/codec";
import { connectClient, type RawClient, type Target } from "./raw-client.js";
import {
  ack,
  encodeSubscribe,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  type PublishTemplate,
  publishBody,
  SUBACK,
} from "./wire.js";

const BATCH_MESSAGES = 256;
const PROGRESS_CHECK_MS = 250;

export interface PublisherSpec {
  /** Message k of this publisher uses `templates[(first + k * stride) % templates.length]`. */
  readonly templates: readonly PublishTemplate[];
  readonly first: number;
  readonly stride: number;
  /** How many subscriptions receive each of its messages. */
  readonly deliveriesPerMessage: number;
  /** Broker address of this client, instead of the flow's (a cluster node, say). */
  readonly target?: Target;
}

export interface SubscriberSpec {
  readonly filters: readonly string[];
  /** Filters per SUBSCRIBE packet. */
  readonly filtersPerSubscribe: number;
  /** Broker address of this client, instead of the flow's (a cluster node, say). */
  readonly target?: Target;
}

export interface FlowOptions {
  readonly qos: QoS;
  readonly publishers: readonly PublisherSpec[];
  readonly subscribers: readonly SubscriberSpec[];
  /** Messages per publisher not yet delivered (and ids not yet acknowledged), at most. */
  readonly window: number;
  /** Whether each subscriber gets every message of a publisher, so order and gaps are checked. */
  readonly ordered: boolean;
  /** Subscribers connect with clean session 0 (QoS 1/2 flows: a persistent consumer). */
  readonly persistentSubscribers: boolean;
  /** Client id prefix, unique per run (persistent sessions must not be resumed). */
  readonly clientPrefix: string;
  /** A phase ends, with the missing messages counted as lost, after this long without progress. */
  readonly stallMs: number;
}

export interface PhaseOptions {
  /** Messages per publisher; without it, as many as `durationMs` allows. */
  readonly messagesPerPublisher?: number;
  /** Publishers stop sending after this long; the phase then ends when the rest arrived. */
  readonly durationMs?: number;
  /** Messages per second per publisher; absent: as fast as the window allows. */
  readonly rate?: number;
  /** Receives the latency (ms) of every delivery of this phase. */
  readonly latencies?: number[];
}

export interface PhaseResult {
  readonly deliveries: number;
  readonly expected: number;
  /** Expected deliveries that never came (gaps, or still missing when the flow stalled). */
  readonly lost: number;
  readonly duplicates: number;
  readonly milliseconds: number;
}

interface Publisher {
  readonly index: number;
  readonly client: RawClient;
  readonly spec: PublisherSpec;
  readonly freeIds: Uint16Array;
  freeCount: number;
  sent: number;
  target: number;
  sentAtPhaseStart: number;
  acknowledged: number;
  delivered: number;
  draining: boolean;
}

interface Subscriber {
  readonly client: RawClient;
  readonly spec: SubscriberSpec;
  /** Next expected sequence number per publisher (ordered flows). */
  readonly expected: Uint32Array;
}

export class Flow {
  readonly #options: FlowOptions;
  readonly #publishers: Publisher[] = [];
  readonly #subscribers: Subscriber[] = [];
  #pendingSubacks = 0;
  #subscribed: (() => void) | undefined;
  #phase: PhaseOptions | undefined;
  #phaseStartedAt = 0;
  #phaseEnded: (() => void) | undefined;
  #deliveries = 0;
  #expected = 0;
  #duplicates = 0;
  #gaps = 0;

  private constructor(options: FlowOptions) {
    this.#options = options;
  }

  /**
   * Connects every publisher and subscriber (nothing subscribed yet) to `target`, or to its
   * spec's own `target`.
   */
  static async connect(target: Target, options: FlowOptions): Promise<Flow> {
    const flow = new Flow(options);
    const window = Math.min(options.window, 65_535);
    for (const [index, spec] of options.publishers.entries()) {
      const client = await connectClient(
        spec.target ?? target,
        `${options.clientPrefix}-pub-${index}`,
      );
      const freeIds = new Uint16Array(window);
      for (let id = 0; id < window; id += 1) freeIds[id] = window - id;
      const publisher: Publisher = {
        index,
        client,
        spec,
        freeIds,
        freeCount: window,
        sent: 0,
        target: 0,
        sentAtPhaseStart: 0,
        acknowledged: 0,
        delivered: 0,
        draining: false,
      };
      client.onFrame = (firstByte, data, start) =>
        flow.#onPublisherFrame(publisher, firstByte, data, start);
      client.afterChunk = () => flow.#afterChunk();
      flow.#publishers.push(publisher);
    }
    for (const [index, spec] of options.subscribers.entries()) {
      const client = await connectClient(
        spec.target ?? target,
        `${options.clientPrefix}-sub-${index}`,
        !options.persistentSubscribers,
      );
      const subscriber: Subscriber = {
        client,
        spec,
        expected: new Uint32Array(options.publishers.length),
      };
      client.onFrame = (firstByte, data, start) =>
        flow.#onSubscriberFrame(subscriber, firstByte, data, start);
      client.afterChunk = () => flow.#afterChunk();
      flow.#subscribers.push(subscriber);
    }
    return flow;
  }

  /** Sends every subscriber's SUBSCRIBE packets at once; resolves when all SUBACKs are in. */
  subscribe(): Promise<void> {
    return new Promise((resolve) => {
      this.#subscribed = resolve;
      for (const subscriber of this.#subscribers) {
        const { filters, filtersPerSubscribe } = subscriber.spec;
        const packets: Buffer[] = [];
        for (let first = 0; first < filters.length; first += filtersPerSubscribe) {
          const slice = filters.slice(first, first + filtersPerSubscribe);
          packets.push(encodeSubscribe((packets.length % 65_535) + 1, slice, this.#options.qos));
        }
        this.#pendingSubacks += packets.length;
        subscriber.client.socket.write(Buffer.concat(packets));
      }
      if (this.#pendingSubacks === 0) resolve();
    });
  }

  /** Publishes `messagesPerPublisher` from every publisher; resolves when all have arrived. */
  runPhase(phase: PhaseOptions): Promise<PhaseResult> {
    const messagesPerPublisher = phase.messagesPerPublisher ?? 2 ** 31;
    this.#phase = phase;
    this.#deliveries = 0;
    this.#duplicates = 0;
    this.#gaps = 0;
    for (const publisher of this.#publishers) {
      publisher.sentAtPhaseStart = publisher.sent;
      publisher.target = publisher.sent + messagesPerPublisher;
    }
    this.#updateExpected();
    return new Promise((resolve) => {
      this.#phaseStartedAt = performance.now();
      let lastProgress = -1;
      let lastProgressAt = this.#phaseStartedAt;
      const finish = (): void => {
        clearInterval(progressCheck);
        clearTimeout(deadline);
        // A timed phase that stalled before its time was up expects what was sent, not 2^31.
        if (phase.durationMs !== undefined) {
          for (const publisher of this.#publishers) {
            publisher.target = Math.min(publisher.target, publisher.sent);
          }
          this.#updateExpected();
        }
        if (rateTimer !== undefined) clearInterval(rateTimer);
        this.#phaseEnded = undefined;
        this.#phase = undefined;
        const milliseconds = performance.now() - this.#phaseStartedAt;
        const lost = Math.max(this.#gaps, this.#expected - this.#deliveries);
        resolve({
          deliveries: this.#deliveries,
          expected: this.#expected,
          lost,
          duplicates: this.#duplicates,
          milliseconds,
        });
      };
      this.#phaseEnded = finish;
      // Time is up: every publisher's target becomes what it has sent.
      const deadline =
        phase.durationMs === undefined
          ? undefined
          : setTimeout(() => {
              for (const publisher of this.#publishers) publisher.target = publisher.sent;
              this.#updateExpected();
              this.#afterChunk();
            }, phase.durationMs);
      const progressCheck = setInterval(() => {
        const progress = this.#deliveries + this.#acknowledgedTotal();
        const now = performance.now();
        if (progress !== lastProgress) {
          lastProgress = progress;
          lastProgressAt = now;
        } else if (now - lastProgressAt > this.#options.stallMs) {
          finish();
        }
      }, PROGRESS_CHECK_MS);
      // Fixed rate: a 1 ms tick sends what has fallen due.
      const rateTimer =
        phase.rate === undefined ? undefined : setInterval(() => this.#pumpAll(), 1);
      this.#pumpAll();
    });
  }

  close(): void {
    for (const { client } of [...this.#publishers, ...this.#subscribers]) client.socket.destroy();
  }

  #updateExpected(): void {
    this.#expected = 0;
    for (const publisher of this.#publishers) {
      this.#expected +=
        (publisher.target - publisher.sentAtPhaseStart) * publisher.spec.deliveriesPerMessage;
    }
  }

  #acknowledgedTotal(): number {
    let total = 0;
    for (const publisher of this.#publishers) total += publisher.acknowledged;
    return total;
  }

  #isComplete(): boolean {
    if (this.#deliveries + this.#gaps < this.#expected) return false;
    if (this.#options.qos === 0) return true;
    return this.#publishers.every((publisher) => publisher.acknowledged >= publisher.target);
  }

  #afterChunk(): void {
    if (this.#phaseEnded === undefined) return;
    if (this.#isComplete()) {
      this.#phaseEnded();
      return;
    }
    this.#pumpAll();
  }

  #pumpAll(): void {
    for (const publisher of this.#publishers) this.#pump(publisher);
  }

  /** Sends what the window (and the rate, if any) allows, in batches of one write each. */
  #pump(publisher: Publisher): void {
    const phase = this.#phase;
    if (phase === undefined || publisher.draining) return;
    const { spec } = publisher;
    const undelivered =
      publisher.sent - Math.floor(publisher.delivered / spec.deliveriesPerMessage);
    let allowed = Math.min(this.#options.window - undelivered, publisher.target - publisher.sent);
    if (this.#options.qos > 0) allowed = Math.min(allowed, publisher.freeCount);
    if (phase.rate !== undefined) {
      const due = Math.floor(((performance.now() - this.#phaseStartedAt) * phase.rate) / 1000);
      allowed = Math.min(allowed, due - (publisher.sent - publisher.sentAtPhaseStart));
    }
    while (allowed > 0) {
      const count = Math.min(allowed, BATCH_MESSAGES);
      allowed -= count;
      if (!publisher.client.socket.write(this.#batch(publisher, count))) {
        publisher.draining = true;
        publisher.client.socket.once("drain", () => {
          publisher.draining = false;
          this.#pump(publisher);
        });
        return;
      }
    }
  }

  #batch(publisher: Publisher, count: number): Buffer {
    const { templates, first, stride } = publisher.spec;
    let size = 0;
    for (let k = 0; k < count; k += 1) {
      size += (
        templates[(first + (publisher.sent + k) * stride) % templates.length] as PublishTemplate
      ).bytes.length;
    }
    const batch = Buffer.allocUnsafe(size);
    const sentAt = performance.now();
    let offset = 0;
    for (let k = 0; k < count; k += 1) {
      const template = templates[
        (first + publisher.sent * stride) % templates.length
      ] as PublishTemplate;
      template.bytes.copy(batch, offset);
      if (template.packetIdOffset >= 0) {
        publisher.freeCount -= 1;
        batch.writeUInt16BE(
          publisher.freeIds[publisher.freeCount] as number,
          offset + template.packetIdOffset,
        );
      }
      const payload = offset + template.payloadOffset;
      batch.writeUInt32BE(publisher.index, payload);
      batch.writeUInt32BE(publisher.sent, payload + 4);
      batch.writeDoubleBE(sentAt, payload + 8);
      publisher.sent += 1;
      offset += template.bytes.length;
    }
    return batch;
  }

  #onPublisherFrame(publisher: Publisher, firstByte: number, data: Buffer, start: number): void {
    const type = firstByte >> 4;
    if (type === PUBACK || type === PUBCOMP) {
      publisher.freeIds[publisher.freeCount++] = data.readUInt16BE(start);
      publisher.acknowledged += 1;
    } else if (type === PUBREC) {
      publisher.client.socket.write(ack("pubrel", data.readUInt16BE(start)));
    }
  }

  #onSubscriberFrame(subscriber: Subscriber, firstByte: number, data: Buffer, start: number): void {
    const type = firstByte >> 4;
    if (type === PUBLISH) {
      const [payload, packetId] = publishBody(firstByte, data, start);
      const qos = (firstByte >> 1) & 3;
      if (qos === 1) subscriber.client.socket.write(ack("puback", packetId));
      else if (qos === 2) subscriber.client.socket.write(ack("pubrec", packetId));
      this.#deliver(subscriber, data, payload);
    } else if (type === PUBREL) {
      subscriber.client.socket.write(ack("pubcomp", data.readUInt16BE(start)));
    } else if (type === SUBACK) {
      this.#pendingSubacks -= 1;
      if (this.#pendingSubacks === 0) this.#subscribed?.();
    }
  }

  #deliver(subscriber: Subscriber, data: Buffer, payload: number): void {
    const publisherIndex = data.readUInt32BE(payload);
    const sequence = data.readUInt32BE(payload + 4);
    const publisher = this.#publishers[publisherIndex];
    if (publisher === undefined) return;
    if (this.#options.ordered) {
      const expected = subscriber.expected[publisherIndex] as number;
      if (sequence < expected) {
        this.#duplicates += 1;
        return;
      }
      if (sequence > expected) this.#gaps += sequence - expected;
      subscriber.expected[publisherIndex] = sequence + 1;
    }
    publisher.delivered += 1;
    this.#deliveries += 1;
    this.#phase?.latencies?.push(performance.now() - data.readDoubleBE(payload + 8));
  }
}
