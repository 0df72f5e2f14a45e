/**
 * Fan-out fast path: one PUBLISH sent to many subscribers.
 *
 * Design: the fixed header, topic and properties are encoded once per prepared message, into
 * two templates made on first use (QoS 0 without a packet identifier, QoS 1/2 with one; both
 * QoS > 0 levels share the layout). Per subscriber only the first byte (DUP, QoS, RETAIN) and
 * the 2 packet identifier bytes differ: `encode` copies the template and the payload into one
 * fresh buffer, `chunks` copies only the template and hands back the payload itself.
 */
import {
  MAX_VARIABLE_BYTE_INTEGER,
  varintLength,
  writeString,
  writeU8,
  writeU16,
  writeVarint,
} from "./byte-writer.js";
import { type EncodeOptions, optionsLevel } from "./encode.js";
import { invalidPacket } from "./errors.js";
import { checkPublishDelivery, measurePublishMessage, publishFlags } from "./packets/publish.js";
import { allocateBytes } from "./platform.js";
import { propertiesContentLength, propertiesSectionLength, writeProperties } from "./properties.js";
import type { ProtocolVersion, PublishPacket, PublishProperties, QoS } from "./types.js";

/** A PUBLISH encoded once, sent many times with different QoS, packet id, DUP and RETAIN. */
export interface PreparedPublish {
  /**
   * Bytes of a complete PUBLISH for this qos (0, 1, 2), packet id (required when qos > 0),
   * dup and retain flags. Returns fresh bytes on every call.
   */
  encode(qos: QoS, packetId: number | undefined, dup: boolean, retain: boolean): Uint8Array;
  /**
   * The same packet as chunks for a vectored write (writev / cork): [fixed header + topic
   * (+ packet id) (+ properties), payload]. The payload chunk is the caller's payload itself.
   */
  chunks(
    qos: QoS,
    packetId: number | undefined,
    dup: boolean,
    retain: boolean,
  ): readonly Uint8Array[];
}

const PUBLISH_TYPE = 0x30;

interface Template {
  /** Fixed header (with a placeholder first byte), topic, packet id slot, properties. */
  readonly head: Uint8Array;
  /** Offset of the packet identifier in `head` (-1 for QoS 0). */
  readonly packetIdOffset: number;
}

class PreparedPublishMessage implements PreparedPublish {
  private readonly topic: string;
  private readonly topicFieldLength: number;
  private readonly payload: Uint8Array;
  private readonly properties: PublishProperties | undefined;
  private readonly propertiesContent: number;
  private readonly level: ProtocolVersion;
  private withoutPacketId: Template | undefined;
  private withPacketId: Template | undefined;

  constructor(packet: Omit<PublishPacket, "packetId" | "qos" | "dup">, options: EncodeOptions) {
    const level = optionsLevel(options);
    this.level = level;
    this.topic = packet.topic;
    this.payload = packet.payload;
    this.topicFieldLength = measurePublishMessage(packet.topic, packet.payload);
    this.properties = level === 5 ? packet.properties : undefined;
    this.propertiesContent =
      level === 5 ? propertiesContentLength(packet.properties, "publish") : 0;
    // Check the largest form (with a packet id) once, so that no later call can fail on size.
    const largest = this.remainingLength(true);
    if (largest > MAX_VARIABLE_BYTE_INTEGER) {
      throw invalidPacket(
        "packet",
        `remaining length ${largest} exceeds ${MAX_VARIABLE_BYTE_INTEGER}`,
      );
    }
  }

  private remainingLength(hasPacketId: boolean): number {
    const propertiesLength = this.level === 5 ? propertiesSectionLength(this.propertiesContent) : 0;
    return this.topicFieldLength + (hasPacketId ? 2 : 0) + propertiesLength + this.payload.length;
  }

  private template(hasPacketId: boolean): Template {
    const cached = hasPacketId ? this.withPacketId : this.withoutPacketId;
    if (cached !== undefined) return cached;
    const remainingLength = this.remainingLength(hasPacketId);
    const headLength = 1 + varintLength(remainingLength) + remainingLength - this.payload.length;
    const head = new Uint8Array(headLength);
    let position = writeVarint(head, writeU8(head, 0, PUBLISH_TYPE), remainingLength);
    position = writeString(head, position, this.topic, this.topicFieldLength);
    const packetIdOffset = hasPacketId ? position : -1;
    if (hasPacketId) position += 2;
    if (this.level === 5) {
      writeProperties(head, position, this.properties, this.propertiesContent);
    }
    const template = { head, packetIdOffset };
    if (hasPacketId) this.withPacketId = template;
    else this.withoutPacketId = template;
    return template;
  }

  /** Copies the template for these flags into `target` and patches flags and packet id. */
  private writeHead(
    target: Uint8Array,
    template: Template,
    qos: QoS,
    packetId: number | undefined,
    dup: boolean,
    retain: boolean,
  ): void {
    target.set(template.head, 0);
    target[0] = PUBLISH_TYPE | publishFlags(qos, dup, retain);
    if (template.packetIdOffset >= 0) writeU16(target, template.packetIdOffset, packetId as number);
  }

  encode(qos: QoS, packetId: number | undefined, dup: boolean, retain: boolean): Uint8Array {
    checkPublishDelivery(qos, packetId, dup, retain);
    const template = this.template(qos > 0);
    const headLength = template.head.length;
    const target = allocateBytes(headLength + this.payload.length);
    this.writeHead(target, template, qos, packetId, dup, retain);
    target.set(this.payload, headLength);
    return target;
  }

  chunks(
    qos: QoS,
    packetId: number | undefined,
    dup: boolean,
    retain: boolean,
  ): readonly Uint8Array[] {
    checkPublishDelivery(qos, packetId, dup, retain);
    const template = this.template(qos > 0);
    const head = allocateBytes(template.head.length);
    this.writeHead(head, template, qos, packetId, dup, retain);
    return [head, this.payload];
  }
}

/**
 * Prepares a PUBLISH for fan-out: header, topic and properties are encoded once; per
 * subscriber only the packet id, QoS, DUP and RETAIN differ and the payload is never copied
 * by `chunks`. Throws MQTT_ERR_INVALID_PACKET like `encode` for an invalid message.
 */
export function preparePublish(
  packet: Omit<PublishPacket, "packetId" | "qos" | "dup">,
  options: EncodeOptions,
): PreparedPublish {
  return new PreparedPublishMessage(packet, options);
}
