/**
 * The server (broker) end of one client's MQTT session.
 *
 * Design: the shared Session plus what only a server does: PINGRESP for PINGREQ
 * [MQTT-3.12.4-1], the 1.5 x keepalive rule on received packets [MQTT-3.1.2-24], and a
 * check that a client's SUBSCRIBE/UNSUBSCRIBE does not reuse the id of an unfinished inbound
 * PUBLISH (both come from the client's one id space). Delivering a message to the client is
 * `publish()`; while the client is offline it goes to the queue (persistent session).
 * Subscriptions, CONNECT handling and routing are the broker's.
 */
import type { Packet } from "@ternmq/codec";
import { REASON_PACKET_ID_IN_USE, REASON_PROTOCOL_ERROR, SessionError } from "./errors.js";
import { ServerKeepalive } from "./keepalive.js";
import type { ServerSessionOptions } from "./options.js";
import { Session } from "./session.js";
import type { SessionSnapshot } from "./snapshot.js";
import type { StepBuilder } from "./step.js";

export class ServerSession extends Session {
  protected readonly discardsQueue = true;
  protected readonly keepalive = new ServerKeepalive();

  /**
   * @param options see ServerSessionOptions (defaults in the README).
   * @param snapshot restore from this snapshot (same as `ServerSession.fromSnapshot`).
   */
  constructor(options: ServerSessionOptions = {}, snapshot?: SessionSnapshot) {
    super(options, snapshot);
  }

  /** A disconnected session resumed from `snapshot`; call `connected()` next. */
  static fromSnapshot(
    snapshot: SessionSnapshot,
    options: ServerSessionOptions = {},
  ): ServerSession {
    return new ServerSession(options, snapshot);
  }

  protected handleRolePacket(packet: Packet, _now: number, step: StepBuilder): void {
    switch (packet.type) {
      case "pingreq":
        step.send({ type: "pingresp" }); // [MQTT-3.12.4-1]
        return;
      case "subscribe":
      case "unsubscribe":
        if (this.inbound.isInUse(packet.packetId)) {
          throw new SessionError(
            "MQTT_ERR_SESSION_PACKET_ID_IN_USE",
            `${packet.type.toUpperCase()} reuses packet id ${packet.packetId} of an unfinished PUBLISH`,
            {
              spec: "MQTT-2.3.1-2",
              reasonCode: REASON_PACKET_ID_IN_USE,
              packetId: packet.packetId,
            },
          );
        }
        return; // the broker answers SUBACK / UNSUBACK
      case "disconnect":
      case "auth":
        return; // the shell's
      case "connect":
        throw new SessionError("MQTT_ERR_SESSION_UNEXPECTED_PACKET", "a second CONNECT", {
          spec: "MQTT-3.1.0-2",
          reasonCode: REASON_PROTOCOL_ERROR,
        });
      default:
        throw new SessionError(
          "MQTT_ERR_SESSION_UNEXPECTED_PACKET",
          `a server does not accept ${packet.type} from a client`,
          { reasonCode: REASON_PROTOCOL_ERROR },
        );
    }
  }

  protected abortRequests(_step: StepBuilder): void {}
}
