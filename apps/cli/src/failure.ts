/**
 * Turns whatever made a command fail into the one line printed on stderr. The client's errors
 * are told apart by their stable `code` (and a refused CONNACK by its `returnCode`), never by
 * their message text.
 */

/** CONNACK return codes 1-5 [MQTT-3.2.2-5], worded as mosquitto_pub/sub word them. */
const connackRefusals: Readonly<Record<number, string>> = {
  1: "Connection refused: unacceptable protocol version.",
  2: "Connection refused: identifier rejected.",
  3: "Connection refused: broker unavailable.",
  4: "Connection refused: bad user name or password.",
  5: "Connection refused: not authorised.",
};

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly returnCode?: number | undefined;
  readonly cause?: unknown;
}

function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}

function causeMessage(error: CodedError): string {
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** The one-line explanation of `error` (no trailing newline). */
export function describeFailure(error: unknown): string {
  const line = describe(error);
  return line.replace(/\s*\n\s*/g, " ");
}

function describe(error: unknown): string {
  if (!isCodedError(error)) return `Error: ${error instanceof Error ? error.message : error}`;
  switch (error.code) {
    case "MQTT_ERR_CLIENT_CONNACK_REFUSED":
      return (
        connackRefusals[error.returnCode ?? -1] ??
        `Connection refused: return code ${error.returnCode}.`
      );
    case "MQTT_ERR_CLIENT_CONNECT_TIMEOUT":
      return "Connection timed out: no CONNACK from the broker.";
    case "MQTT_ERR_CLIENT_NETWORK":
      return `Unable to connect: ${causeMessage(error)}.`;
    case "MQTT_ERR_CLIENT_CONNECTION_CLOSED":
    case "MQTT_ERR_CLIENT_PING_TIMEOUT":
      return `Connection lost: ${error.message}.`;
    case "MQTT_ERR_CLIENT_PROTOCOL":
      return `Protocol error: ${error.message}.`;
    case "MQTT_ERR_CLIENT_INVALID_ARGUMENT":
      return `Invalid argument: ${error.message}.`;
    default:
      return `Error: ${error.message}`;
  }
}
