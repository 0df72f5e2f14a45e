/**
 * Packet model shared by every TernMQ package.
 *
 * Design: one interface per MQTT control packet, discriminated by a string-literal
 * `type`, so `switch (packet.type)` narrows to exactly the fields of that packet.
 * The model is level-neutral: fields that exist only in MQTT 5.0 (`properties`,
 * reason codes on acknowledgements, subscription options) are optional and are
 * ignored when encoding for levels 3 and 4. Binary fields are `Uint8Array`
 * (a Node `Buffer` is one), so the codec runs in browsers too.
 */

/** Protocol level byte of CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0. */
export type ProtocolVersion = 3 | 4 | 5;

/** Quality of service of a PUBLISH or a subscription. */
export type QoS = 0 | 1 | 2;

/** A 5.0 user property: name and value, kept in wire order, duplicates allowed. */
export type UserProperty = readonly [name: string, value: string];

/**
 * Every MQTT 5.0 property, by its name. Each packet type accepts a subset
 * (see the `*Properties` types below); the codec rejects the rest.
 */
export interface AllProperties {
  /** 0x01 */ payloadFormatIndicator?: 0 | 1;
  /** 0x02, seconds */ messageExpiryInterval?: number;
  /** 0x03 */ contentType?: string;
  /** 0x08 */ responseTopic?: string;
  /** 0x09 */ correlationData?: Uint8Array;
  /**
   * 0x0B. A PUBLISH may carry several (one per matching subscription); SUBSCRIBE carries
   * at most one, which the codec enforces.
   */
  subscriptionIdentifiers?: readonly number[];
  /** 0x11, seconds */ sessionExpiryInterval?: number;
  /** 0x12 */ assignedClientIdentifier?: string;
  /** 0x13, seconds */ serverKeepAlive?: number;
  /** 0x15 */ authenticationMethod?: string;
  /** 0x16 */ authenticationData?: Uint8Array;
  /** 0x17 */ requestProblemInformation?: boolean;
  /** 0x18, seconds */ willDelayInterval?: number;
  /** 0x19 */ requestResponseInformation?: boolean;
  /** 0x1A */ responseInformation?: string;
  /** 0x1C */ serverReference?: string;
  /** 0x1F */ reasonString?: string;
  /** 0x21 */ receiveMaximum?: number;
  /** 0x22 */ topicAliasMaximum?: number;
  /** 0x23 */ topicAlias?: number;
  /** 0x24 */ maximumQoS?: 0 | 1;
  /** 0x25 */ retainAvailable?: boolean;
  /** 0x26 */ userProperties?: readonly UserProperty[];
  /** 0x27, bytes */ maximumPacketSize?: number;
  /** 0x28 */ wildcardSubscriptionAvailable?: boolean;
  /** 0x29 */ subscriptionIdentifiersAvailable?: boolean;
  /** 0x2A */ sharedSubscriptionAvailable?: boolean;
}

export type ConnectProperties = Pick<
  AllProperties,
  | "sessionExpiryInterval"
  | "receiveMaximum"
  | "maximumPacketSize"
  | "topicAliasMaximum"
  | "requestResponseInformation"
  | "requestProblemInformation"
  | "userProperties"
  | "authenticationMethod"
  | "authenticationData"
>;

export type WillProperties = Pick<
  AllProperties,
  | "willDelayInterval"
  | "payloadFormatIndicator"
  | "messageExpiryInterval"
  | "contentType"
  | "responseTopic"
  | "correlationData"
  | "userProperties"
>;

export type ConnackProperties = Pick<
  AllProperties,
  | "sessionExpiryInterval"
  | "receiveMaximum"
  | "maximumQoS"
  | "retainAvailable"
  | "maximumPacketSize"
  | "assignedClientIdentifier"
  | "topicAliasMaximum"
  | "reasonString"
  | "userProperties"
  | "wildcardSubscriptionAvailable"
  | "subscriptionIdentifiersAvailable"
  | "sharedSubscriptionAvailable"
  | "serverKeepAlive"
  | "responseInformation"
  | "serverReference"
  | "authenticationMethod"
  | "authenticationData"
>;

export type PublishProperties = Pick<
  AllProperties,
  | "payloadFormatIndicator"
  | "messageExpiryInterval"
  | "topicAlias"
  | "responseTopic"
  | "correlationData"
  | "userProperties"
  | "subscriptionIdentifiers"
  | "contentType"
>;

/** PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK share these. */
export type AckProperties = Pick<AllProperties, "reasonString" | "userProperties">;

export type SubscribeProperties = Pick<AllProperties, "subscriptionIdentifiers" | "userProperties">;

export type UnsubscribeProperties = Pick<AllProperties, "userProperties">;

export type DisconnectProperties = Pick<
  AllProperties,
  "sessionExpiryInterval" | "reasonString" | "userProperties" | "serverReference"
>;

export type AuthProperties = Pick<
  AllProperties,
  "authenticationMethod" | "authenticationData" | "reasonString" | "userProperties"
>;

/** Will message carried by CONNECT. */
export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** 5.0 only. */
  properties?: WillProperties;
}

export interface ConnectPacket {
  type: "connect";
  /** Level 3 is sent with protocol name "MQIsdp", levels 4 and 5 with "MQTT". */
  protocolVersion: ProtocolVersion;
  /** May be empty (3.1.1+: the server assigns one, with `clean` set). */
  clientId: string;
  /** Clean Session (3.1, 3.1.1) or Clean Start (5.0). */
  clean: boolean;
  /** Seconds; 0 disables keepalive. */
  keepalive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: ConnectProperties;
}

export interface ConnackPacket {
  type: "connack";
  sessionPresent: boolean;
  /** The 3.1/3.1.1 return code (0-5) or the 5.0 Connect Reason Code. */
  reasonCode: number;
  properties?: ConnackProperties;
}

export interface PublishPacket {
  type: "publish";
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when `qos > 0` ([MQTT-2.3.1-5]). */
  packetId?: number;
  properties?: PublishProperties;
}

interface AckBase {
  packetId: number;
  /** 5.0 only; absent means 0x00 (Success). */
  reasonCode?: number;
  properties?: AckProperties;
}
export interface PubackPacket extends AckBase {
  type: "puback";
}
export interface PubrecPacket extends AckBase {
  type: "pubrec";
}
export interface PubrelPacket extends AckBase {
  type: "pubrel";
}
export interface PubcompPacket extends AckBase {
  type: "pubcomp";
}

export interface Subscription {
  topicFilter: string;
  /** Requested maximum QoS. */
  qos: QoS;
  /** 5.0 subscription options; ignored (must be absent or default) below 5.0. */
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
}

export interface SubscribePacket {
  type: "subscribe";
  packetId: number;
  /** At least one ([MQTT-3.8.3-3]). */
  subscriptions: readonly Subscription[];
  properties?: SubscribeProperties;
}

export interface SubackPacket {
  type: "suback";
  packetId: number;
  /** One per subscription, in order: granted QoS 0-2, 0x80 failure, or 5.0 reason codes. */
  reasonCodes: readonly number[];
  properties?: AckProperties;
}

export interface UnsubscribePacket {
  type: "unsubscribe";
  packetId: number;
  /** At least one ([MQTT-3.10.3-2]). */
  topicFilters: readonly string[];
  properties?: UnsubscribeProperties;
}

export interface UnsubackPacket {
  type: "unsuback";
  packetId: number;
  /** 5.0 only: one reason code per topic filter. */
  reasonCodes?: readonly number[];
  properties?: AckProperties;
}

export interface PingreqPacket {
  type: "pingreq";
}

export interface PingrespPacket {
  type: "pingresp";
}

export interface DisconnectPacket {
  type: "disconnect";
  /** 5.0 only; absent means 0x00 (Normal disconnection). */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** 5.0 only. */
export interface AuthPacket {
  type: "auth";
  /** Absent means 0x00 (Success). */
  reasonCode?: number;
  properties?: AuthProperties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

export type PacketType = Packet["type"];

/** Narrow `Packet` by its `type`: `PacketOf<"publish">` is `PublishPacket`. */
export type PacketOf<T extends PacketType> = Extract<Packet, { type: T }>;

/** Control packet type numbers (fixed header, bits 7-4 of byte 1). */
export const PACKET_TYPE_CODES = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const satisfies Record<PacketType, number>;
