/**
 * The 5.0 "reason code, then properties" tail shared by PUBACK, PUBREC, PUBREL, PUBCOMP,
 * DISCONNECT and AUTH, with its short forms: when the packet ends before the reason code, the
 * reason code is 0x00 (Success / Normal disconnection) and there are no properties; when it
 * ends after the reason code, there are no properties (e.g. [MQTT-3.4.2-1] section 3.4.2.1, 3.14.2.1, 3.15.2.1).
 */
import type { ByteReader } from "../byte-reader.js";
import { writeU8 } from "../byte-writer.js";
import { codecError, invalidPacket } from "../errors.js";
import {
  decodeProperties,
  type PropertyContextName,
  propertiesSectionLength,
  writeProperties,
} from "../properties.js";
import { isAllowedReasonCode, type ReasonCodeSetName } from "../reason-codes.js";
import type { AllProperties } from "../types.js";

/** Throws MQTT_ERR_INVALID_REASON_CODE unless the set allows `code`. */
export function checkReasonCode(code: number, set: ReasonCodeSetName): number {
  if (!isAllowedReasonCode(set, code)) {
    throw codecError(
      "MQTT_ERR_INVALID_REASON_CODE",
      `reason code 0x${code.toString(16).padStart(2, "0")} is not allowed in ${set}`,
    );
  }
  return code;
}

/** Validates a reason code for encoding; absent means 0x00. */
export function reasonCodeToEncode(code: number | undefined, set: ReasonCodeSetName): number {
  if (code === undefined) return 0;
  if (!isAllowedReasonCode(set, code)) throw invalidPacket("reasonCode", `not allowed in ${set}`);
  return code;
}

/** Size of the tail in its shortest form. */
export function reasonTailLength(reasonCode: number, propertiesContentLength: number): number {
  if (propertiesContentLength > 0) return 1 + propertiesSectionLength(propertiesContentLength);
  return reasonCode === 0 ? 0 : 1;
}

/** Writes the tail measured by reasonTailLength. */
export function writeReasonTail(
  target: Uint8Array,
  offset: number,
  reasonCode: number,
  properties: AllProperties | undefined,
  propertiesContentLength: number,
): number {
  if (propertiesContentLength > 0) {
    return writeProperties(
      target,
      writeU8(target, offset, reasonCode),
      properties,
      propertiesContentLength,
    );
  }
  return reasonCode === 0 ? offset : writeU8(target, offset, reasonCode);
}

/**
 * Reads the tail into `packet`: `reasonCode` and `properties` are set only when present on
 * the wire (absent fields stay absent, so the short forms decode without them).
 */
export function readReasonTail(
  reader: ByteReader,
  packet: { reasonCode?: number; properties?: AllProperties },
  set: ReasonCodeSetName,
  context: PropertyContextName,
): void {
  if (reader.remaining === 0) return;
  packet.reasonCode = checkReasonCode(reader.u8("reason code"), set);
  if (reader.remaining === 0) return;
  packet.properties = decodeProperties(reader, context);
}
