/**
 * The client end of an MQTT session.
 *
 * Design: the shared Session plus what only a client does: SUBSCRIBE and UNSUBSCRIBE with
 * ids from the same allocator as its PUBLISH ids [MQTT-2.3.1-2], matching SUBACK/UNSUBACK,
 * and the client keepalive (PINGREQ after `keepalive` without sending, `ping-timeout` when
 * the PINGRESP does not come). The shell sends CONNECT itself and calls `connected()` on
 * CONNACK.
 */
import type {
  Packet,
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UnsubscribeProperties,
} from "@ternmq/codec";
import { REASON_PROTOCOL_ERROR, SessionError } from "./errors.js";
import { ClientKeepalive } from "./keepalive.js";
import type { ClientSessionOptions } from "./options.js";
import { Session } from "./session.js";
import type { SessionSnapshot } from "./snapshot.js";
import { EMPTY_STEP, type Step, type StepBuilder } from "./step.js";

/** The Step of `subscribe` / `unsubscribe`, with the packet id to match the answer. */
export interface RequestStep extends Step {
  readonly packetId: number;
}

interface PendingRequest {
  readonly kind: "subscribe" | "unsubscribe";
  /** Topic filters in the request: the SUBACK must carry one code each [MQTT-3.8.4-5]. */
  readonly count: number;
}

export class ClientSession extends Session {
  protected readonly discardsQueue = false;
  protected readonly keepalive: ClientKeepalive;
  private readonly requests = new Map<number, PendingRequest>();

  /**
   * @param options see ClientSessionOptions (defaults in the README).
   * @param snapshot restore from this snapshot (same as `ClientSession.fromSnapshot`).
   * Throws: MQTT_ERR_SESSION_INVALID_OPTION, MQTT_ERR_SESSION_SNAPSHOT_VERSION,
   * MQTT_ERR_SESSION_SNAPSHOT_INVALID.
   */
  constructor(options: ClientSessionOptions = {}, snapshot?: SessionSnapshot) {
    super(options, snapshot);
    this.keepalive = new ClientKeepalive(options.pingTimeoutMs);
  }

  /** A disconnected session resumed from `snapshot`; call `connected()` next. */
  static fromSnapshot(
    snapshot: SessionSnapshot,
    options: ClientSessionOptions = {},
  ): ClientSession {
    return new ClientSession(options, snapshot);
  }

  /**
   * Sends SUBSCRIBE. Completion: `subscribe-complete` (or `request-aborted` if the
   * connection is lost first).
   *
   * Throws: MQTT_ERR_SESSION_NOT_CONNECTED, MQTT_ERR_SESSION_INVALID_MESSAGE (no
   * subscription [MQTT-3.8.3-3]), MQTT_ERR_SESSION_PACKET_IDS_EXHAUSTED.
   */
  subscribe(
    subscriptions: readonly Subscription[],
    now: number,
    properties?: SubscribeProperties,
  ): RequestStep {
    this.checkRequest(subscriptions.length, "MQTT-3.8.3-3");
    this.step.reset();
    const packetId = this.outbound.allocateId(this.step);
    this.requests.set(packetId, { kind: "subscribe", count: subscriptions.length });
    const packet: SubscribePacket = { type: "subscribe", packetId, subscriptions };
    if (properties !== undefined) packet.properties = properties;
    return this.request(packet, packetId, now);
  }

  /**
   * Sends UNSUBSCRIBE. Completion: `unsubscribe-complete` (or `request-aborted`).
   *
   * Throws: as `subscribe` ([MQTT-3.10.3-2]: at least one topic filter).
   */
  unsubscribe(
    topicFilters: readonly string[],
    now: number,
    properties?: UnsubscribeProperties,
  ): RequestStep {
    this.checkRequest(topicFilters.length, "MQTT-3.10.3-2");
    this.step.reset();
    const packetId = this.outbound.allocateId(this.step);
    this.requests.set(packetId, { kind: "unsubscribe", count: topicFilters.length });
    const packet: UnsubscribePacket = { type: "unsubscribe", packetId, topicFilters };
    if (properties !== undefined) packet.properties = properties;
    return this.request(packet, packetId, now);
  }

  private checkRequest(count: number, spec: string): void {
    if (this.state !== "connected") {
      throw new SessionError(
        "MQTT_ERR_SESSION_NOT_CONNECTED",
        "SUBSCRIBE and UNSUBSCRIBE need a connection (they are not queued)",
      );
    }
    if (count === 0) {
      throw new SessionError("MQTT_ERR_SESSION_INVALID_MESSAGE", "no topic filter given", { spec });
    }
  }

  private request(packet: Packet, packetId: number, now: number): RequestStep {
    this.packetSent(now);
    const changes = this.step.journal?.take();
    return { send: [packet], events: EMPTY_STEP.events, changes, packetId };
  }

  protected handleRolePacket(packet: Packet, _now: number, step: StepBuilder): void {
    switch (packet.type) {
      case "suback":
        this.handleSuback(packet, step);
        return;
      case "unsuback":
        this.handleUnsuback(packet, step);
        return;
      case "pingresp":
        this.keepalive.pingrespReceived();
        return;
      case "connack":
      case "disconnect":
      case "auth":
        return; // the shell's
      default:
        throw new SessionError(
          "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
          `a client does not accept ${packet.type} from a server`,
          { reasonCode: REASON_PROTOCOL_ERROR },
        );
    }
  }

  private takeRequest(kind: PendingRequest["kind"], packetId: number): PendingRequest {
    const request = this.requests.get(packetId);
    if (request === undefined || request.kind !== kind) {
      throw new SessionError(
        "MQTT_ERR_SESSION_UNKNOWN_ACK_ID",
        `${kind === "subscribe" ? "SUBACK" : "UNSUBACK"} for packet id ${packetId}, which has no pending ${kind.toUpperCase()}`,
        { spec: "MQTT-2.3.1-7", reasonCode: REASON_PROTOCOL_ERROR, packetId },
      );
    }
    return request;
  }

  private finishRequest(packetId: number): void {
    this.requests.delete(packetId);
    this.outbound.ids.release(packetId);
  }

  private handleSuback(packet: SubackPacket, step: StepBuilder): void {
    const request = this.takeRequest("subscribe", packet.packetId);
    if (packet.reasonCodes.length !== request.count) {
      throw new SessionError(
        "MQTT_ERR_SESSION_SUBACK_COUNT_MISMATCH",
        `SUBACK has ${packet.reasonCodes.length} return codes for ${request.count} subscriptions`,
        { spec: "MQTT-3.8.4-5", reasonCode: REASON_PROTOCOL_ERROR, packetId: packet.packetId },
      );
    }
    this.finishRequest(packet.packetId);
    step.event({
      type: "subscribe-complete",
      packetId: packet.packetId,
      reasonCodes: packet.reasonCodes,
    });
  }

  private handleUnsuback(packet: UnsubackPacket, step: StepBuilder): void {
    const request = this.takeRequest("unsubscribe", packet.packetId);
    const codes = packet.reasonCodes;
    if (codes !== undefined && codes.length !== request.count) {
      throw new SessionError(
        "MQTT_ERR_SESSION_UNSUBACK_COUNT_MISMATCH",
        `UNSUBACK has ${codes.length} reason codes for ${request.count} topic filters`,
        { spec: "MQTT-3.11.3-1", reasonCode: REASON_PROTOCOL_ERROR, packetId: packet.packetId },
      );
    }
    this.finishRequest(packet.packetId);
    step.event({ type: "unsubscribe-complete", packetId: packet.packetId, reasonCodes: codes });
  }

  protected abortRequests(step: StepBuilder): void {
    for (const [packetId, request] of this.requests) {
      this.outbound.ids.release(packetId);
      step.event({ type: "request-aborted", kind: request.kind, packetId });
    }
    this.requests.clear();
  }
}
