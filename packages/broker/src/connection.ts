/**
 * One client connection over any duplex byte stream.
 *
 * Design: bytes go into a server-role codec Decoder; packets are taken out one at a time
 * in a loop (never recursively) and dispatched to one handler per packet type. A handler
 * returns an Outcome, or a Promise of one when a hook or a store answers asynchronously;
 * while such a Promise is pending the stream is paused and no further packet is taken, so a
 * client's packets are always handled in order. `apply()` is the one place that turns
 * outcomes into protocol actions: CONNACK, opening the session, closing the connection and
 * publishing the will. Every codec, engine and topic error thrown while handling a packet
 * is caught here and closes this connection only. Packets that depend on a store write
 * (CONNACK of a persistent session, acknowledgements, a persistent session's PUBLISH) go out
 * through the broker's write-ahead gate (`WriteAhead`), which keeps them in order; handlers
 * do not wait for it, so reading goes on while a commit is pending.
 *
 * One keepalive timer is armed for the session engine's `nextDeadline()`; it may fire early
 * (the deadline moves later with every packet received), in which case it is re-armed. A
 * separate timer closes a connection that has not sent CONNECT within `connectTimeoutMs`.
 *
 * ```
 *  state             event                                   next state
 *  awaiting-connect  CONNECT accepted (CONNACK 0)            connected
 *  awaiting-connect  CONNECT refused (CONNACK 1-5), bad      closing
 *                    first packet, connect timeout
 *  connected         DISCONNECT, protocol error, keepalive   closing
 *                    expiry, takeover, drain timeout,
 *                    stream error or end, broker shutdown
 *  closing           stream 'close'                          closed
 * ```
 */
import type { Duplex } from "node:stream";
import {
  type ConnectPacket,
  Decoder,
  encode,
  MqttError,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
} from "@ternmq/codec";
import type { BrokerContext } from "./context.js";
import { handleAcknowledgement } from "./handlers/acknowledgement.js";
import {
  CONNACK_SERVER_UNAVAILABLE,
  connectionLimitReached,
  handleConnect,
} from "./handlers/connect.js";
import { handleDisconnect } from "./handlers/disconnect.js";
import type { AcceptedConnect, MaybeAsyncOutcome, Outcome } from "./handlers/outcome.js";
import { protocolError } from "./handlers/outcome.js";
import { handlePingreq } from "./handlers/pingreq.js";
import { handlePublish } from "./handlers/publish.js";
import { handleSubscribe } from "./handlers/subscribe.js";
import { handleUnsubscribe } from "./handlers/unsubscribe.js";
import { countLimitError } from "./limits.js";
import { handleRateLimitedPublish } from "./publish-rate.js";
import { createPublishRateLimiter, type PublishRateLimiter } from "./rate-limit.js";
import type { RetainedDelivery } from "./retained-delivery.js";
import type { SessionEntry } from "./session-registry.js";
import type { ClientInfo, DisconnectReason } from "./types.js";
import { publishesWill } from "./will.js";
import type { GatedOutput } from "./write-ahead.js";
import { ConnectionWriter, type WriterOwner } from "./writer.js";

export type ConnectionState = "awaiting-connect" | "connected" | "closing" | "closed";

/** Why a connection ended, including ends before a client was connected ("refused"). */
export type CloseReason = DisconnectReason | "refused";

const EMPTY_PAYLOAD = new Uint8Array(0);
/** Payloads up to this size are copied into the packet buffer instead of written apart. */
const COPY_PAYLOAD_UP_TO = 512;
/** How long a closing stream may take to flush its last packets before it is destroyed. */
const END_GRACE_MS = 1000;

/*
 * Stream listeners and timer callbacks are shared by every connection instead of being
 * closures bound per connection: ten function objects (with their contexts, and a property
 * dictionary each when a transpiler keeps function names) were a third of an idle
 * connection's memory. A listener finds its connection through `connectionOf` (EventEmitter
 * calls it with the stream as `this`); a timer gets it as its argument.
 */
const connectionOf = new WeakMap<Duplex, Connection>();

function onStreamData(this: Duplex, chunk: Buffer): void {
  connectionOf.get(this)?.received(chunk);
}
function onStreamEnd(this: Duplex): void {
  connectionOf.get(this)?.inputEnd();
}
function onStreamError(this: Duplex, error: Error): void {
  connectionOf.get(this)?.close("io-error", error);
}
function onStreamClose(this: Duplex): void {
  connectionOf.get(this)?.streamClosed();
}
function onKeepaliveTimer(connection: Connection): void {
  connection.keepaliveTimerFired();
}
function onConnectTimeout(connection: Connection): void {
  connection.connectTimerFired();
}

export class Connection implements WriterOwner, GatedOutput {
  state: ConnectionState = "awaiting-connect";
  /** Set once the CONNECT has been read (client id known). */
  client: ClientInfo | undefined;
  /** The session, once the CONNECT is accepted. */
  entry: SessionEntry | undefined;
  /** The will of the CONNECT, until DISCONNECT discards it. */
  will: ConnectPacket["will"];
  /** The CONNECT had a will (cluster mode records it until the connection ends). */
  private hadWill = false;
  protocolVersion: ProtocolVersion = 4;
  /** Keepalive in force (seconds) and when the CONNECT was accepted (ms), for inspection. */
  keepaliveSeconds = 0;
  connectedAt: number | undefined;
  readonly remoteAddress: string | undefined;
  /** Packet batches of this connection waiting in the write-ahead gate (`WriteAhead`). */
  heldBatches = 0;
  /** Retained messages being streamed to this client after its SUBSCRIBE packets. */
  retained: RetainedDelivery | undefined;
  /** The per-client PUBLISH rates; undefined when unlimited (the default). */
  readonly publishRate: PublishRateLimiter | undefined;

  private readonly decoder: Decoder;
  private readonly writer: ConnectionWriter;
  /** A handler's Promise is pending: the next packets wait. */
  private waiting = false;
  /** The stream's readable side has ended (the peer sent FIN). */
  private inputEnded = false;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private keepaliveTimerAt = 0;
  private connectTimer: NodeJS.Timeout | undefined;

  /** Created on the first handler that answers with a Promise, then reused. */
  private settleListeners:
    | { onSettled: (outcome: Outcome) => void; onFailed: (error: unknown) => void }
    | undefined;

  constructor(
    readonly context: BrokerContext,
    private readonly stream: Duplex,
    remoteAddress: string | undefined,
    /** A verified client certificate's CN, used instead of the CONNECT username. */
    readonly certificateUsername?: string,
  ) {
    const limits = context.settings.limits;
    this.remoteAddress = remoteAddress;
    this.publishRate = createPublishRateLimiter(limits, context.now());
    this.decoder = new Decoder({ role: "server", maxPacketSize: limits.maxPacketSize });
    this.writer = new ConnectionWriter(
      stream,
      context.scheduler,
      context.stats,
      limits.maxOutgoingBufferBytes,
      limits.drainTimeoutMs,
      this,
    );
    connectionOf.set(stream, this);
    stream.on("data", onStreamData);
    stream.on("end", onStreamEnd);
    stream.on("error", onStreamError);
    stream.on("close", onStreamClose);
    this.connectTimer = setTimeout(onConnectTimeout, limits.connectTimeoutMs, this);
    this.connectTimer.unref();
  }

  /** Bytes arrived (the stream's 'data'). */
  received(chunk: Buffer): void {
    this.context.stats.bytesReceived += chunk.length;
    if (this.state !== "awaiting-connect" && this.state !== "connected") return;
    this.decoder.push(chunk);
    this.pump();
  }

  /** The peer ended its side: packets already received are handled, then the connection closes. */
  inputEnd(): void {
    this.inputEnded = true;
    this.pump();
  }

  /** The stream closed: the connection is over. */
  streamClosed(): void {
    this.close("closed");
    this.state = "closed";
  }

  keepaliveTimerFired(): void {
    this.keepaliveTimer = undefined;
    this.checkKeepalive();
  }

  connectTimerFired(): void {
    this.connectTimer = undefined;
    if (this.state !== "awaiting-connect") return;
    this.context.stats.limits.connectTimeouts++;
    this.close("connect-timeout");
  }

  /** Writes one packet (PUBLISH through the fan-out template when it is the routed one). */
  send(packet: Packet): void {
    if (this.state === "closing" || this.state === "closed") return;
    if (packet.type === "publish") {
      this.sendPublish(packet);
      return;
    }
    this.writer.write(encode(packet, { protocolVersion: this.protocolVersion }));
  }

  sendPackets(packets: readonly Packet[]): void {
    for (let index = 0; index < packets.length; index++) {
      const packet = packets[index];
      if (packet !== undefined) this.send(packet);
    }
  }

  /**
   * Ends the connection for `reason`: detaches the session, publishes the will where the
   * reason calls for it, emits `client-disconnected`, then ends the stream. Idempotent.
   */
  close(reason: CloseReason, error?: unknown): void {
    const previous = this.state;
    if (previous === "closing" || previous === "closed") return;
    this.state = "closing";
    this.clearTimers();
    this.context.connections.delete(this);
    this.retained?.stop();
    if (error !== undefined) {
      countLimitError(this.context.stats.limits, error);
      this.logError(reason, error);
    }
    if (previous === "connected") this.endSession(reason);
    else
      this.context.logger.debug(
        { address: this.remoteAddress, reason },
        "connection closed before CONNECT was accepted",
      );
    this.writer.close();
    this.stream.off("data", onStreamData);
    if (reason === "io-error" || reason === "slow-consumer") {
      this.stream.destroy(); // nothing more can be written to it
      return;
    }
    // Let the last packets (a CONNACK refusal, the PUBACKs before a FIN) leave, then make
    // sure the stream goes even if the peer never closes its side.
    this.stream.end();
    const stream = this.stream;
    setTimeout(() => stream.destroy(), END_GRACE_MS).unref();
  }

  writerBlocked(): void {
    this.updateFlow();
  }

  writerDrained(): void {
    this.updateFlow();
    this.retained?.resume();
  }

  outputReleased(): void {
    this.retained?.resume();
  }

  /** Whether the stream holds more than its high-water mark (retained delivery waits). */
  outputBackedUp(): boolean {
    return this.writer.aboveHighWaterMark();
  }

  writerFrozen(): void {
    this.close("slow-consumer");
  }

  /**
   * Reads from the stream only while no handler is pending and the stream is not holding
   * back our writes (backpressure towards a client that does not read its answers).
   */
  private updateFlow(): void {
    if (this.state !== "awaiting-connect" && this.state !== "connected") return;
    if (this.waiting || this.writer.state === "waiting-drain") this.stream.pause();
    else this.stream.resume();
  }

  /** Takes packets from the decoder until it needs bytes, the connection closes or waits. */
  private pump(): void {
    while (!this.waiting && (this.state === "awaiting-connect" || this.state === "connected")) {
      let packet: Packet | undefined;
      let outcome: MaybeAsyncOutcome;
      try {
        packet = this.decoder.next();
        if (packet === undefined) {
          if (this.inputEnded) this.close("closed"); // without DISCONNECT: the will goes out
          return;
        }
        outcome = this.dispatch(packet);
      } catch (error) {
        this.failPacket(error);
        return;
      }
      if (outcome instanceof Promise) {
        this.waiting = true;
        this.updateFlow();
        const { onSettled, onFailed } = this.settleListeners ?? this.createSettleListeners();
        outcome.then(onSettled, onFailed);
        return;
      }
      if (outcome !== undefined) this.apply(outcome);
    }
  }

  private createSettleListeners(): NonNullable<Connection["settleListeners"]> {
    this.settleListeners = {
      onSettled: (outcome: Outcome): void => {
        this.waiting = false;
        if (this.state !== "awaiting-connect" && this.state !== "connected") return;
        if (outcome !== undefined) this.apply(outcome);
        this.updateFlow();
        this.pump();
      },
      onFailed: (error: unknown): void => {
        this.waiting = false;
        this.close("protocol-error", error);
      },
    };
    return this.settleListeners;
  }

  /** The one switch from packet type to handler. */
  private dispatch(packet: Packet): MaybeAsyncOutcome {
    if (packet.type === "connect") return handleConnect(this, packet);
    const entry = this.entry;
    // The decoder refuses anything but CONNECT first [MQTT-3.1.0-1]; this covers the wait
    // for `authenticate`, during which no packet is taken anyway.
    if (entry === undefined) return protocolError(undefined);
    switch (packet.type) {
      case "publish":
        return this.publishRate === undefined
          ? handlePublish(this, entry, packet)
          : handleRateLimitedPublish(this, entry, packet, this.publishRate);
      case "puback":
      case "pubrec":
      case "pubrel":
      case "pubcomp":
        return handleAcknowledgement(this, entry, packet);
      case "subscribe":
        return handleSubscribe(this, entry, packet);
      case "unsubscribe":
        return handleUnsubscribe(this, entry, packet);
      case "pingreq":
        return handlePingreq(this, entry, packet);
      case "disconnect":
        return handleDisconnect(this);
      default:
        // The server-role decoder refuses every other type; kept for safety.
        return protocolError(undefined);
    }
  }

  /** The dispatcher: turns an outcome into protocol actions. */
  private apply(outcome: NonNullable<Outcome>): void {
    switch (outcome.type) {
      case "close":
        this.close(outcome.reason, outcome.error);
        return;
      case "refuse":
        this.refuse(outcome.returnCode);
        return;
      case "accept":
        this.accept(outcome.connect);
        return;
    }
  }

  private refuse(returnCode: number): void {
    // [MQTT-3.2.2-4] a non-zero return code goes with Session Present 0; then close [MQTT-3.2.2-5].
    const version = returnCode > 5 ? 5 : this.protocolVersion;
    this.writer.write(
      encode(
        { type: "connack", sessionPresent: false, reasonCode: returnCode },
        { protocolVersion: version },
      ),
    );
    this.context.logger.info(
      { clientId: this.client?.clientId, address: this.remoteAddress, returnCode },
      "CONNECT refused",
    );
    this.close("refused");
  }

  private accept(connect: AcceptedConnect): void {
    const context = this.context;
    const clientId = connect.client.clientId;
    // Checked again: other clients may have connected while `authenticate` ran.
    if (connectionLimitReached(this, clientId)) {
      this.refuse(CONNACK_SERVER_UNAVAILABLE);
      return;
    }
    const writes = context.writes;
    const mark = writes.issued;
    const { entry, sessionPresent } = context.registry.open(
      clientId,
      connect.clean,
      connect.protocolVersion,
      this,
    );
    this.entry = entry;
    this.will = connect.will;
    this.hadWill = connect.will !== undefined;
    this.state = "connected";
    this.keepaliveSeconds = connect.keepaliveSeconds;
    this.connectedAt = context.now();
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    // [MQTT-3.2.0-1] CONNACK is the first packet; [MQTT-3.2.2-1..3] Session Present. A
    // persistent session's leaves once its record is stored (write-ahead gate).
    // MQTT 3.1 has no Session Present flag: the byte is reserved there.
    const connack = {
      type: "connack",
      sessionPresent: sessionPresent && this.protocolVersion >= 4,
      reasonCode: 0,
    } as const;
    writes.send(this, [connack], writes.wroteSince(mark));
    const now = context.now();
    entry.engine.packetSent(now);
    // Resends (DUP) and queued messages of a resumed session follow the CONNACK [MQTT-4.4.0-1].
    context.applyOutbound(
      entry,
      entry.engine.connected(now, { sessionPresent, keepaliveSeconds: connect.keepaliveSeconds }),
    );
    context.logger.info(
      { clientId, address: this.remoteAddress, sessionPresent, clean: connect.clean },
      "client connected",
    );
    context.events.emit("client-connected", connect.client, sessionPresent);
    context.cluster?.connected(entry, connect.will);
    this.armKeepalive();
  }

  private endSession(reason: CloseReason): void {
    const { entry, client } = this;
    const context = this.context;
    const will = this.will;
    this.will = undefined;
    if (entry !== undefined) context.registry.detach(entry, this);
    if (client === undefined || reason === "refused") return;
    if (will !== undefined && publishesWill(reason)) context.publishWill(client, will);
    if (this.hadWill) context.cluster?.willEnded(client.clientId);
    context.logger.info(
      { clientId: client.clientId, address: this.remoteAddress, reason },
      "client disconnected",
    );
    context.events.emit("client-disconnected", client, reason);
  }

  private sendPublish(packet: PublishPacket): void {
    const router = this.context.router;
    // Large payloads go out as [head, the shared payload]; small ones are copied into one
    // buffer, which costs less than a second write.
    const shared =
      packet.payload.length > COPY_PAYLOAD_UP_TO ? router.chunksFor(packet) : undefined;
    const head =
      shared?.[0] ??
      router.bytesFor(packet) ??
      encode(packet, { protocolVersion: this.protocolVersion });
    const payload = shared?.[1] ?? EMPTY_PAYLOAD;
    if (packet.qos === 0 && this.writer.wouldOverflow(head.length + payload.length)) {
      this.context.countDrop(this.client?.clientId ?? "", "slow-consumer");
      return;
    }
    this.writer.writePublish(head, payload);
    this.context.stats.messagesSent++;
    this.context.traffic.sent[packet.qos]++;
    this.context.traffic.sentBytes[packet.qos] += packet.payload.length;
  }

  private checkKeepalive(): void {
    const entry = this.entry;
    if (this.state !== "connected" || entry === undefined) return;
    const step = entry.engine.handleTimeout(this.context.now());
    for (const event of step.events) {
      if (event.type === "keepalive-expired") {
        this.close("keepalive-timeout"); // [MQTT-3.1.2-24]
        return;
      }
    }
    this.context.applyOutbound(entry, step);
    this.armKeepalive();
  }

  /** Arms the one timer for the engine's next deadline, unless one fires earlier already. */
  private armKeepalive(): void {
    const deadline = this.entry?.engine.nextDeadline();
    if (deadline === undefined) return;
    if (this.keepaliveTimer !== undefined) {
      if (this.keepaliveTimerAt <= deadline) return;
      clearTimeout(this.keepaliveTimer);
    }
    this.keepaliveTimerAt = deadline;
    const delay = Math.max(1, deadline - this.context.now());
    this.keepaliveTimer = setTimeout(onKeepaliveTimer, delay, this);
    this.keepaliveTimer.unref();
  }

  private clearTimers(): void {
    if (this.keepaliveTimer !== undefined) clearTimeout(this.keepaliveTimer);
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.keepaliveTimer = undefined;
    this.connectTimer = undefined;
  }

  /** A packet could not be decoded or broke a rule of the protocol. */
  private failPacket(error: unknown): void {
    // An unsupported protocol level is answered with CONNACK 1 before closing [MQTT-3.1.2-2].
    if (
      this.state === "awaiting-connect" &&
      MqttError.isInstance(error) &&
      error.connackReturnCode !== undefined
    ) {
      this.writer.write(
        encode(
          { type: "connack", sessionPresent: false, reasonCode: error.connackReturnCode },
          { protocolVersion: 4 },
        ),
      );
    }
    this.close("protocol-error", error);
  }

  /** Logged once per connection, with the error's stable code. */
  private logError(reason: CloseReason, error: unknown): void {
    const code = MqttError.isInstance(error) ? error.code : undefined;
    const spec = MqttError.isInstance(error) ? error.spec : undefined;
    const fields = {
      clientId: this.client?.clientId,
      address: this.remoteAddress,
      reason,
      code,
      spec,
    };
    if (reason === "io-error")
      this.context.logger.info({ ...fields, err: error }, "connection error");
    else this.context.logger.warn(fields, "protocol error; connection closed");
  }
}
