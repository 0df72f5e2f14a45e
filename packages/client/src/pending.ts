/**
 * The promises the client owes the application, and how engine events find them.
 *
 * Design: a QoS 1/2 publish is found by the message object passed to the engine (events
 * carry it by reference); QoS 0 publishes leave in publish order, so each QoS 0 PUBLISH
 * written settles the oldest pending one; SUBSCRIBE/UNSUBSCRIBE by packet id while sent,
 * or in the `offline` list while they wait for a connection. `rejectAll` is how every
 * promise settles when the client closes for good or ends.
 */
import type { Subscription } from "@ternmq/codec";
import type { SessionMessage } from "@ternmq/session";
import type { SubscribeResult } from "./api-types.js";
import type { ClientError } from "./errors.js";

export interface Settle<Value> {
  resolve(value: Value): void;
  reject(error: ClientError): void;
}

export type PendingRequest =
  | (Settle<SubscribeResult[]> & {
      readonly kind: "subscribe";
      readonly subscriptions: readonly Subscription[];
      readonly rejectOnFailure: boolean;
    })
  | (Settle<void> & { readonly kind: "unsubscribe"; readonly filters: readonly string[] });

interface PendingQos0 extends Settle<void> {
  readonly message: SessionMessage;
}

export class PendingOperations {
  private readonly publishes = new Map<SessionMessage, Settle<void>>();
  private qos0: PendingQos0[] = [];
  /** QoS 0 publishes at the head of `qos0` written into a transport that asked to wait. */
  private qos0AwaitingDrain = 0;
  private readonly requests = new Map<number, PendingRequest>();
  private offline: PendingRequest[] = [];

  addPublish(message: SessionMessage, settle: Settle<void>): void {
    if (message.qos === 0) this.qos0.push({ message, ...settle });
    else this.publishes.set(message, settle);
  }

  /**
   * A QoS 0 PUBLISH was written: the oldest pending QoS 0 publish is done, unless the
   * transport is over its buffer limit (`accepted` false, or an earlier write still waits):
   * then it is done on `drained()`, so `await publish()` loops follow the socket's pace.
   */
  qos0Written(accepted: boolean): void {
    if (accepted && this.qos0AwaitingDrain === 0) this.qos0.shift()?.resolve();
    else this.qos0AwaitingDrain++;
  }

  /** The transport drained: the QoS 0 publishes written before are done. */
  drained(): void {
    const done = this.qos0.splice(0, this.qos0AwaitingDrain);
    this.qos0AwaitingDrain = 0;
    for (const settle of done) settle.resolve();
  }

  /** The connection closed before the transport drained: those QoS 0 messages are lost. */
  connectionLost(error: ClientError): void {
    const lost = this.qos0.splice(0, this.qos0AwaitingDrain);
    this.qos0AwaitingDrain = 0;
    for (const settle of lost) settle.reject(error);
  }

  /** A QoS 1/2 flow completed (or a QoS 2 message is owned by the server). */
  publishDone(message: SessionMessage): void {
    const settle = this.publishes.get(message);
    this.publishes.delete(message);
    settle?.resolve();
  }

  publishFailed(message: SessionMessage, error: ClientError): void {
    if (message.qos === 0) {
      const index = this.qos0.findIndex((pending) => pending.message === message);
      if (index >= 0) this.qos0.splice(index, 1)[0]?.reject(error);
      return;
    }
    const settle = this.publishes.get(message);
    this.publishes.delete(message);
    settle?.reject(error);
  }

  hasPublish(message: SessionMessage): boolean {
    return this.publishes.has(message) || this.qos0.some((pending) => pending.message === message);
  }

  requestSent(packetId: number, request: PendingRequest): void {
    this.requests.set(packetId, request);
  }

  /** The request of an answered (or aborted) packet id, no longer pending under it. */
  takeRequest(packetId: number): PendingRequest | undefined {
    const request = this.requests.get(packetId);
    this.requests.delete(packetId);
    return request;
  }

  /** A request waits for the next connection. */
  waitForConnection(request: PendingRequest): void {
    this.offline.push(request);
  }

  /** The requests that waited for this connection, in order. */
  takeWaiting(): PendingRequest[] {
    const waiting = this.offline;
    this.offline = [];
    return waiting;
  }

  /** Nothing is pending: a graceful end may close. */
  get idle(): boolean {
    return (
      this.publishes.size === 0 &&
      this.qos0.length === 0 &&
      this.requests.size === 0 &&
      this.offline.length === 0
    );
  }

  /** Settles everything with `error`. */
  rejectAll(error: ClientError): void {
    const publishes = Array.from(this.publishes.values());
    const qos0 = this.qos0;
    const requests = [...this.requests.values(), ...this.offline];
    this.publishes.clear();
    this.qos0 = [];
    this.qos0AwaitingDrain = 0;
    this.requests.clear();
    this.offline = [];
    for (const settle of publishes) settle.reject(error);
    for (const settle of qos0) settle.reject(error);
    for (const request of requests) request.reject(error);
  }
}
