/**
 * CONNACK: the answer to CONNECT, and the only packet the client handles itself (the
 * session engine takes every other one).
 */
import type { ConnackPacket, Packet } from "@ternmq/codec";
import { ClientError } from "../errors.js";

/** Return codes that retrying cannot fix: 1 protocol level, 2 client id, 4 credentials, 5 auth. */
const FINAL_REFUSALS: ReadonlySet<number> = new Set([1, 2, 4, 5]);

/**
 * The outcome of the first packet from the server: the accepted CONNACK, or the error that
 * ends the attempt. [MQTT-3.2.0-1]: the first packet from the server is CONNACK;
 * [MQTT-3.2.2-5]: a non-zero return code is a refusal (the server closes the connection).
 */
export function handleConnack(
  packet: Packet,
  connectSent: boolean,
): { accepted: ConnackPacket } | { error: ClientError } {
  if (packet.type !== "connack" || !connectSent) {
    return {
      error: new ClientError(
        "MQTT_ERR_CLIENT_PROTOCOL",
        `${packet.type} from the server before its CONNACK`,
        { spec: "MQTT-3.2.0-1" },
      ),
    };
  }
  if (packet.reasonCode === 0) return { accepted: packet };
  return {
    error: new ClientError(
      "MQTT_ERR_CLIENT_CONNACK_REFUSED",
      `the server refused the connection: CONNACK return code ${packet.reasonCode}`,
      { spec: "MQTT-3.2.2-5", returnCode: packet.reasonCode },
    ),
  };
}

/** Whether `error` is a refusal after which reconnecting is pointless. */
export function isFinalRefusal(error: ClientError | undefined): boolean {
  return (
    error?.code === "MQTT_ERR_CLIENT_CONNACK_REFUSED" && FINAL_REFUSALS.has(error.returnCode ?? 0)
  );
}
