/**
 * CONNECT: protocol level, client identifier rules, will topic, connection limit and the
 * `authenticate` hook. Opening the session and CONNACK 0 are the dispatcher's
 * (`Connection.apply`), so that nothing can reach the connection between the two.
 */
import { randomUUID } from "node:crypto";
import type { ConnectPacket } from "@ternmq/codec";
import type { Connection } from "../connection.js";
import type { ClientInfo } from "../types.js";
import { validateWill } from "../will.js";
import { type MaybeAsyncOutcome, type Outcome, protocolError, refuse } from "./outcome.js";

/** CONNACK return codes of 3.1.1 (section 3.2.2.3) that this handler answers. */
const CONNACK_IDENTIFIER_REJECTED = 2;
export const CONNACK_SERVER_UNAVAILABLE = 3;
/** 5.0 CONNACK reason 0x84 Unsupported Protocol Version, to a 5.0 client. */
const CONNACK_V5_UNSUPPORTED_PROTOCOL_VERSION = 0x84;

export function handleConnect(connection: Connection, packet: ConnectPacket): MaybeAsyncOutcome {
  const { settings, hooks, restoring } = connection.context;
  // Stored sessions are loaded at start before any CONNECT is answered.
  if (restoring !== undefined) return restoring.then(() => handleConnect(connection, packet));
  const limits = settings.limits;
  const level = packet.protocolVersion;
  // 5.0 is not served yet: a 5.0 client gets its own CONNACK 0x84 [MQTT-3.1.2-2 (5.0)].
  if (level === 5) return refuse(CONNACK_V5_UNSUPPORTED_PROTOCOL_VERSION);
  connection.protocolVersion = level;

  let clientId = packet.clientId;
  if (clientId === "") {
    // [MQTT-3.1.3-8]: an empty id needs Clean Session 1; 3.1 requires 1-23 characters.
    if (!packet.clean || level === 3) return refuse(CONNACK_IDENTIFIER_REJECTED);
    clientId = `ternmq-${randomUUID()}`; // [MQTT-3.1.3-6]
  } else if (clientId.length > limits.maxClientIdLength) {
    connection.context.stats.limits.clientIdsTooLong++;
    return refuse(CONNACK_IDENTIFIER_REJECTED); // [MQTT-3.1.3-9]
  } else if (settings.clientIdPattern !== undefined && !settings.clientIdPattern.test(clientId)) {
    return refuse(CONNACK_IDENTIFIER_REJECTED); // [MQTT-3.1.3-9]
  }

  const will = packet.will;
  if (will !== undefined) {
    // Counted against maxTopicLength / maxTopicLevels when the connection closes for it.
    const error = validateWill(will, settings);
    if (error !== undefined) return protocolError(error);
  }

  const client: ClientInfo = { clientId, protocolVersion: level };
  const username = connection.certificateUsername ?? packet.username;
  if (username !== undefined) client.username = username;
  if (connection.remoteAddress !== undefined) client.remoteAddress = connection.remoteAddress;
  connection.client = client;

  if (connectionLimitReached(connection, clientId)) return refuse(CONNACK_SERVER_UNAVAILABLE);

  const accepted: Outcome = {
    type: "accept",
    connect: {
      client,
      protocolVersion: level,
      clean: packet.clean,
      keepaliveSeconds: effectiveKeepalive(packet.keepalive, limits.maxKeepalive),
      will,
    },
  };
  const cluster = connection.context.cluster;
  // Cluster mode: the session is claimed (and loaded) cluster-wide before CONNACK.
  const open = (): MaybeAsyncOutcome =>
    cluster === undefined
      ? accepted
      : cluster.prepareSession(clientId, packet.clean).then((ready) => {
          // The client left while its session was claimed and loaded: nobody will resume it here.
          if (connection.state !== "awaiting-connect") {
            if (ready) cluster.abandonSession(clientId);
            return undefined;
          }
          return ready ? accepted : refuse(CONNACK_SERVER_UNAVAILABLE);
        });
  const code = hooks.authenticate(client, username, packet.password);
  if (typeof code === "number") return code === 0 ? open() : refuse(code);
  return code.then((answer) => (answer === 0 ? open() : refuse(answer)));
}

/** Whether the connection limit refuses `clientId` now (checked again after authenticate). */
export function connectionLimitReached(connection: Connection, clientId: string): boolean {
  const { registry, stats, settings } = connection.context;
  const takesOver = registry.get(clientId)?.connection !== undefined;
  if (takesOver || stats.clientsConnected < settings.limits.maxConnections) return false;
  stats.limits.connectionsRefused++; // each true answer is one CONNACK 3
  return true;
}

/**
 * The keepalive enforced: the client's, capped by `maxKeepalive`. 3.1.1 cannot tell a
 * client to use another value, so a client asking for more (or for none while a maximum is
 * configured) is held to the maximum: it is closed after 1.5 x maxKeepalive of silence.
 */
export function effectiveKeepalive(requested: number, maxKeepalive: number): number {
  const unlimited = maxKeepalive >= 65_535;
  if (requested === 0) return unlimited ? 0 : maxKeepalive;
  return Math.min(requested, maxKeepalive);
}
