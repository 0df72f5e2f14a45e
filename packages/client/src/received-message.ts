import type { QoS } from "@ternmq/codec";

/** An application message received from the server. */
export interface ReceivedMessage {
  readonly topic: string;
  /** The payload bytes; the client never reuses them, so they may be kept. */
  readonly payload: Uint8Array;
  readonly qos: QoS;
  /** Retain flag: set when the message is a retained one sent on SUBSCRIBE [MQTT-3.3.1-9]. */
  readonly retain: boolean;
  /** DUP flag: the server may have sent it before (QoS 1/2 redelivery). */
  readonly dup: boolean;
}
