/**
 * The list of reason codes that ends SUBACK and (5.0) UNSUBACK: one byte per topic filter of
 * the request, at least one since the request holds at least one ([MQTT-3.8.3-3],
 * [MQTT-3.10.3-2]).
 */
import type { ByteReader } from "../byte-reader.js";
import { codecError, invalidPacket } from "../errors.js";
import { isAllowedReasonCode, type ReasonCodeSetName } from "../reason-codes.js";
import { checkReasonCode } from "./reason-tail.js";

export function readReasonCodeList(reader: ByteReader, set: ReasonCodeSetName): number[] {
  if (reader.remaining === 0) {
    throw codecError("MQTT_ERR_TRUNCATED_PACKET", `${set} without any reason code`);
  }
  const codes: number[] = [];
  while (reader.remaining > 0) codes.push(checkReasonCode(reader.u8("reason code"), set));
  return codes;
}

export function reasonCodeListLength(
  codes: readonly number[] | undefined,
  set: ReasonCodeSetName,
): number {
  if (!Array.isArray(codes) || codes.length === 0) {
    throw invalidPacket("reasonCodes", "must hold at least one reason code");
  }
  for (let index = 0; index < codes.length; index++) {
    if (!isAllowedReasonCode(set, codes[index])) {
      throw invalidPacket("reasonCodes[#]", `${codes[index]} is not allowed in ${set}`, index);
    }
  }
  return codes.length;
}
