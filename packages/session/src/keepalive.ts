/**
 * Keepalive deadlines for both ends of a connection, with time as an argument.
 *
 * Design: each tracker exposes `deadline()` (when `check(now)` next has something to do, or
 * undefined) and `check(now, step)`; the session folds the deadline into `nextDeadline()` so
 * the shell arms a single timer. A keepalive of 0 disables both.
 *
 * Client (`ClientKeepalive.state`):
 *
 * | from         | on                                      | to           | action            |
 * |--------------|-----------------------------------------|--------------|-------------------|
 * | idle         | now >= last packet SENT + keepalive     | ping-pending | send PINGREQ      |
 * | ping-pending | PINGRESP received                       | idle         |                   |
 * | ping-pending | now >= PINGREQ sent + pingTimeout       | expired      | `ping-timeout`    |
 * | any          | start(now) (connection established)    | idle         |                   |
 *
 * [MQTT-3.1.2-23]: the client sends a control packet at least every keepalive seconds.
 *
 * Server (`ServerKeepalive.state`):
 *
 * | from     | on                                           | to      | action              |
 * |----------|----------------------------------------------|---------|---------------------|
 * | watching | packet received                              | watching| deadline moves      |
 * | watching | now >= last packet RECEIVED + 1.5 x keepalive| expired | `keepalive-expired` |
 * | any      | start(now)                                   | watching|                     |
 *
 * [MQTT-3.1.2-24]: the server disconnects after 1.5 x keepalive without a packet.
 */
import type { StepBuilder } from "./step.js";

/** What a session needs of its side's keepalive: each side watches one direction. */
export interface KeepaliveTracker {
  start(now: number, keepaliveSeconds: number): void;
  /** Something arrived from the peer (a server's keepalive input). */
  packetReceived(now: number): void;
  /** Something was sent to the peer (a client's keepalive input). */
  packetSent(now: number): void;
  deadline(): number | undefined;
  check(now: number, step: StepBuilder): void;
}

export class ClientKeepalive implements KeepaliveTracker {
  state: "idle" | "ping-pending" | "expired" = "idle";
  private keepaliveMs = 0;
  private lastSentAt = 0;
  private pingSentAt = 0;

  constructor(private readonly pingTimeoutMs: number | undefined) {}

  start(now: number, keepaliveSeconds: number): void {
    this.keepaliveMs = keepaliveSeconds * 1000;
    this.lastSentAt = now;
    this.state = "idle";
  }

  packetSent(now: number): void {
    this.lastSentAt = now;
  }

  /** A client's keepalive is about what it sends; PINGRESP is reported separately. */
  packetReceived(_now: number): void {}

  pingrespReceived(): void {
    if (this.state === "ping-pending") this.state = "idle";
  }

  deadline(): number | undefined {
    if (this.keepaliveMs === 0 || this.state === "expired") return undefined;
    if (this.state === "ping-pending") {
      return this.pingSentAt + (this.pingTimeoutMs ?? this.keepaliveMs);
    }
    return this.lastSentAt + this.keepaliveMs;
  }

  check(now: number, step: StepBuilder): void {
    const deadline = this.deadline();
    if (deadline === undefined || now < deadline) return;
    if (this.state === "ping-pending") {
      this.state = "expired";
      step.event({ type: "ping-timeout" });
      return;
    }
    this.state = "ping-pending";
    this.pingSentAt = now;
    step.send({ type: "pingreq" });
  }
}

export class ServerKeepalive implements KeepaliveTracker {
  state: "watching" | "expired" = "watching";
  private keepaliveMs = 0;
  private lastReceivedAt = 0;

  start(now: number, keepaliveSeconds: number): void {
    this.keepaliveMs = keepaliveSeconds * 1000;
    this.lastReceivedAt = now;
    this.state = "watching";
  }

  packetReceived(now: number): void {
    this.lastReceivedAt = now;
  }

  /** The 1.5 x rule is about what the client sends [MQTT-3.1.2-24]. */
  packetSent(_now: number): void {}

  deadline(): number | undefined {
    if (this.keepaliveMs === 0 || this.state === "expired") return undefined;
    return this.lastReceivedAt + this.keepaliveMs * 1.5;
  }

  check(now: number, step: StepBuilder): void {
    const deadline = this.deadline();
    if (deadline === undefined || now < deadline) return;
    this.state = "expired";
    step.event({ type: "keepalive-expired" });
  }
}
