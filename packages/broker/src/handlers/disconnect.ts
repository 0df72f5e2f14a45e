/** DISCONNECT: the will is discarded [MQTT-3.14.4-3] and the connection closed [MQTT-3.14.4-1]. */
import type { Connection } from "../connection.js";
import { CLOSE_ON_DISCONNECT, type Outcome } from "./outcome.js";

export function handleDisconnect(connection: Connection): Outcome {
  connection.will = undefined;
  return CLOSE_ON_DISCONNECT;
}
