/**
 * What a packet handler asks the connection's dispatcher to do. Handlers never close a
 * stream themselves (style rule 5): they return an Outcome, possibly in a Promise (an async
 * hook or store), and `Connection.apply` turns it into protocol actions.
 */
import type { ProtocolVersion, Will } from "@ternmq/codec";
import type { ClientInfo, DisconnectReason } from "../types.js";

/** A CONNECT that passed every check: the session is opened by the dispatcher. */
export interface AcceptedConnect {
  readonly client: ClientInfo;
  readonly protocolVersion: ProtocolVersion;
  readonly clean: boolean;
  readonly keepaliveSeconds: number;
  readonly will: Will | undefined;
}

export type Outcome =
  /** Nothing for the dispatcher: go on with the next packet. */
  | undefined
  /** Close the connection (publishing the will unless the reason says otherwise). */
  | { readonly type: "close"; readonly reason: DisconnectReason; readonly error?: unknown }
  /** Answer CONNACK with this non-zero return code, then close. */
  | { readonly type: "refuse"; readonly returnCode: number }
  /** Open the session and answer CONNACK 0. */
  | { readonly type: "accept"; readonly connect: AcceptedConnect };

export type MaybeAsyncOutcome = Outcome | Promise<Outcome>;

export const CLOSE_ON_DISCONNECT: Outcome = Object.freeze({ type: "close", reason: "disconnect" });

export function protocolError(error: unknown): Outcome {
  return { type: "close", reason: "protocol-error", error };
}

export function refuse(returnCode: number): Outcome {
  return { type: "refuse", returnCode };
}
