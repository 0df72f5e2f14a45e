/**
 * What ClientSession and ServerSession share: the connection state, the outbound and inbound
 * QoS flows, acknowledgements, in-session retry, snapshots.
 *
 * Design: sans-I/O. Every method takes the current time in milliseconds (`now`, any
 * monotonic clock the shell chooses) and returns a Step: packets to encode and write in
 * order, events to deliver in order. The engine never reads a clock, arms a timer or
 * touches a socket; the shell arms one timer for `nextDeadline()` and calls
 * `handleTimeout(now)` when it fires. Protocol violations and misuse are THROWN as
 * SessionError (never returned in a Step), before any state changes; the shell decides
 * whether to disconnect. The subclasses add only what differs between the roles: a client's
 * SUBSCRIBE / UNSUBSCRIBE and PINGREQ, a server's PINGRESP and 1.5 x keepalive.
 */
import type { Packet } from "@ternmq/codec";
import { SessionError } from "./errors.js";
import { InboundFlow } from "./inbound-flow.js";
import type { KeepaliveTracker } from "./keepalive.js";
import {
  checkInteger,
  type ResolvedOptions,
  resolveOptions,
  type SessionOptions,
} from "./options.js";
import { OutboundFlow } from "./outbound-flow.js";
import { MAX_PACKET_ID } from "./packet-id-allocator.js";
import { SESSION_SNAPSHOT_VERSION, type SessionMessage, type SessionSnapshot } from "./snapshot.js";
import { validateSnapshot } from "./snapshot-validation.js";
import { EMPTY_STEP, type Step, StepBuilder } from "./step.js";

/** Whether the session has a network connection. See `Session.connected`. */
export type SessionState = "disconnected" | "connected";

/** What the shell learned when the connection was (re)established. */
export interface ConnectionInfo {
  /**
   * Whether the session continues: the CONNACK Session Present flag (client), or the value
   * the server is about to send in CONNACK (server). `false` discards the session state
   * [MQTT-3.1.2-6].
   */
  sessionPresent: boolean;
  /** Keep Alive in force, seconds (CONNECT, or the 5.0 Server Keep Alive). Default: option. */
  keepaliveSeconds?: number;
  /** The peer's 5.0 Receive Maximum: the new inflight window size. Default: unchanged. */
  inflightWindow?: number;
}

/** Counters for monitoring; a fresh object per read. */
export interface SessionCounters {
  /** Outbound QoS 1/2 messages awaiting acknowledgement. */
  inflight: number;
  /** Outbound messages waiting for a packet id (offline or past the window). */
  queued: number;
  queuedBytes: number;
  /** Messages dropped since the session was created (every `message-dropped` event). */
  dropped: number;
  /** Inbound QoS 1/2 flows not finished (unacknowledged, or awaiting PUBREL). */
  inboundOpen: number;
}

export abstract class Session {
  /** See the transition table on `connected()`. */
  state: SessionState = "disconnected";
  protected readonly options: ResolvedOptions;
  protected readonly step: StepBuilder;
  protected readonly outbound: OutboundFlow;
  protected readonly inbound: InboundFlow;

  protected constructor(options: SessionOptions, snapshot: SessionSnapshot | undefined) {
    this.options = resolveOptions(options);
    this.step = new StepBuilder(this.options.journal);
    this.outbound = new OutboundFlow(this.options);
    this.inbound = new InboundFlow(this.options);
    if (snapshot !== undefined) {
      validateSnapshot(snapshot);
      this.outbound.restore(snapshot.outbound);
      this.inbound.restore(snapshot.inbound.awaitingPubrel);
    }
  }

  /**
   * Publishes `message` to the peer: sent now (QoS 0, or QoS 1/2 with a free window slot),
   * or queued in order. While disconnected QoS 1/2 messages are queued for the next
   * connection, QoS 0 only with `queue.queueQoS0WhileOffline`. A message that does not fit
   * the queue produces a `message-dropped` event. Completion: `publish-complete`.
   *
   * Throws: MQTT_ERR_SESSION_INVALID_MESSAGE for a malformed message.
   */
  publish(message: SessionMessage, now: number): Step {
    if (
      typeof message.topic !== "string" ||
      !(message.payload instanceof Uint8Array) ||
      (message.qos !== 0 && message.qos !== 1 && message.qos !== 2)
    ) {
      throw new SessionError(
        "MQTT_ERR_SESSION_INVALID_MESSAGE",
        "a message needs a string topic, a Uint8Array payload and QoS 0, 1 or 2",
        { spec: "MQTT-3.3.1-4" },
      );
    }
    this.step.reset();
    this.outbound.publish(message, this.state === "connected", now, this.step);
    return this.finish(now);
  }

  /**
   * Acknowledges an inbound message delivered with `ackRequired`: returns the PUBACK (QoS 1)
   * or PUBREC (QoS 2), plus those of newer messages already acknowledged, in arrival order.
   * Call it once the message is safely handed over or persisted. Unknown ids are ignored.
   */
  acknowledge(packetId: number, now: number): Step {
    this.step.reset();
    this.inbound.acknowledge(packetId, this.state === "connected", this.step);
    return this.finish(now);
  }

  /**
   * The connection is established (client: CONNACK accepted; server: CONNACK about to be
   * sent). Returns the resends and queued messages to send after the CONNACK.
   *
   * | from         | call                                   | to           | Step                  |
   * |--------------|----------------------------------------|--------------|-----------------------|
   * | disconnected | connected(now, {sessionPresent: true}) | connected    | PUBLISH (DUP=1) and   |
   * |              |                                        |              | PUBREL resends in the |
   * |              |                                        |              | original order, then  |
   * |              |                                        |              | queued messages       |
   * | disconnected | connected(now, {sessionPresent: false})| connected    | `message-dropped` for |
   * |              |                                        |              | the discarded state,  |
   * |              |                                        |              | then queued messages* |
   * | connected    | connectionLost()                       | disconnected | `request-aborted` for |
   * |              |                                        |              | SUBSCRIBE/UNSUBSCRIBE |
   * | connected    | connected(...)                         | connected    | as connectionLost()   |
   * |              |                                        |              | then connected()      |
   *
   * (*) a ServerSession also drops its queue; a ClientSession keeps messages that were never
   * sent, because they are the application's requests, not session state.
   * [MQTT-4.4.0-1] resend on reconnect; [MQTT-3.1.2-6] clean session discards state.
   *
   * Throws: MQTT_ERR_SESSION_INVALID_OPTION for an `inflightWindow` outside 1-65535 or a
   * `keepaliveSeconds` outside 0-65535 (nothing changes).
   */
  connected(now: number, info: ConnectionInfo): Step {
    // Validate before changing anything.
    const capacity =
      info.inflightWindow === undefined
        ? this.outbound.window.capacity
        : checkInteger("inflightWindow", info.inflightWindow, 1, MAX_PACKET_ID);
    const keepaliveSeconds =
      info.keepaliveSeconds === undefined
        ? this.options.keepaliveSeconds
        : checkInteger("keepaliveSeconds", info.keepaliveSeconds, 0, 65_535);
    this.step.reset();
    if (this.state === "connected") this.loseConnection();
    this.outbound.window.capacity = capacity;
    if (!info.sessionPresent) {
      this.outbound.discard(this.discardsQueue, this.step);
      this.inbound.discard(this.step);
    }
    this.state = "connected";
    this.keepalive.start(now, keepaliveSeconds);
    this.outbound.resend(now, this.step);
    this.outbound.drain(now, this.step);
    return this.finish(now);
  }

  /**
   * The network connection is gone. QoS state is kept for the next `connected()`; nothing is
   * sent until then. See the table on `connected()`.
   */
  connectionLost(): Step {
    this.step.reset();
    if (this.state === "connected") this.loseConnection();
    return this.step.finish();
  }

  private loseConnection(): void {
    this.state = "disconnected";
    this.abortRequests(this.step);
  }

  /**
   * A packet arrived from the peer. Pass EVERY received packet: the engine handles the QoS
   * flows (PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP) and its role's packets, notes the time
   * for keepalive, and ignores packets that are the shell's (CONNECT handling, CONNACK,
   * DISCONNECT, AUTH, a server's SUBSCRIBE/UNSUBSCRIBE).
   *
   * Throws: SessionError for a protocol violation (see the README table), with no state
   * changed except the keepalive receive time; MQTT_ERR_SESSION_NOT_CONNECTED while
   * disconnected.
   */
  handlePacket(packet: Packet, now: number): Step {
    if (this.state !== "connected") {
      throw new SessionError(
        "MQTT_ERR_SESSION_NOT_CONNECTED",
        `${packet.type} handled while the session is disconnected`,
      );
    }
    const step = this.step;
    step.reset();
    this.keepalive.packetReceived(now);
    switch (packet.type) {
      case "publish":
        this.inbound.handlePublish(packet, step);
        break;
      case "puback":
        this.outbound.handlePuback(packet, now, step);
        break;
      case "pubrec":
        this.outbound.handlePubrec(packet, now, step);
        break;
      case "pubrel":
        this.inbound.handlePubrel(packet, step);
        break;
      case "pubcomp":
        this.outbound.handlePubcomp(packet, now, step);
        break;
      default:
        this.handleRolePacket(packet, now, step);
    }
    return this.finish(now);
  }

  /**
   * The timer armed for `nextDeadline()` fired: sends PINGREQ (client), reports
   * `ping-timeout` (client) or `keepalive-expired` (server), and resends what is due for an
   * in-session retry. Calling it early does nothing.
   */
  handleTimeout(now: number): Step {
    if (this.state !== "connected") return EMPTY_STEP;
    this.step.reset();
    this.keepalive.check(now, this.step);
    const retry = this.options.retryIntervalMs;
    if (retry !== undefined) this.outbound.resend(now, this.step, now - retry);
    return this.finish(now);
  }

  /** When `handleTimeout` next has work, or undefined (nothing to wait for). */
  nextDeadline(): number | undefined {
    if (this.state !== "connected") return undefined;
    const keepalive = this.keepalive.deadline();
    const retry = this.options.retryIntervalMs;
    const retryAt = retry === undefined ? undefined : this.outbound.nextRetryAt(retry);
    if (keepalive === undefined) return retryAt;
    return retryAt === undefined ? keepalive : Math.min(keepalive, retryAt);
  }

  /** The shell sent a packet of its own (CONNECT, SUBACK, DISCONNECT...): keepalive input. */
  packetSent(now: number): void {
    this.keepalive.packetSent(now);
  }

  /**
   * The state needed to resume this session elsewhere or after a restart: inflight flows in
   * order, queued messages, the id cursor and the QoS 2 ids awaiting PUBREL. Plain data;
   * payloads are Uint8Array (see `snapshotToJson` for JSON). Subscriptions are not here.
   */
  snapshot(): SessionSnapshot {
    return {
      version: SESSION_SNAPSHOT_VERSION,
      outbound: this.outbound.snapshot(),
      inbound: { awaitingPubrel: this.inbound.snapshot() },
    };
  }

  get counters(): SessionCounters {
    return {
      inflight: this.outbound.window.size,
      queued: this.outbound.queue.size,
      queuedBytes: this.outbound.queue.bytes,
      dropped: this.outbound.queue.dropped,
      inboundOpen: this.inbound.openFlows,
    };
  }

  private finish(now: number): Step {
    if (this.step.hasPackets) this.keepalive.packetSent(now);
    return this.step.finish();
  }

  /** Whether a discarded session also drops the messages that were never sent. */
  protected abstract readonly discardsQueue: boolean;
  protected abstract handleRolePacket(packet: Packet, now: number, step: StepBuilder): void;
  /** The side's keepalive: PINGREQ/ping timeout for a client, the 1.5 x rule for a server. */
  protected abstract readonly keepalive: KeepaliveTracker;
  /** Settles requests that are not resent after a reconnect. */
  protected abstract abortRequests(step: StepBuilder): void;
}
