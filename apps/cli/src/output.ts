/**
 * What `ternmq sub` prints per message: the payload bytes as they are (binary payloads are not
 * re-encoded), then a newline; with `-v` the topic and a space first, and `(null)` for an
 * empty payload, as mosquitto_sub prints it.
 */
const newline = Buffer.from("\n");
const nullPayload = Buffer.from("(null)");

/** One message as the bytes of its output line. */
export function formatMessage(topic: string, payload: Uint8Array, verbose: boolean): Buffer {
  if (!verbose) return Buffer.concat([payload, newline]);
  const shown = payload.length === 0 ? nullPayload : payload;
  return Buffer.concat([Buffer.from(`${topic} `), shown, newline]);
}
