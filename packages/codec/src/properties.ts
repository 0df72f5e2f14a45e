/**
 * MQTT 5.0 properties (section 2.2.2): the table of every property identifier, and the
 * decoding, measuring and writing of a property section.
 *
 * Design: one row per property says its identifier, its name in the packet model, its wire
 * type, the packets it may appear in and the rule its value obeys. Decoding and encoding are
 * both driven by that table, so adding a property is one row. Properties decode into a plain
 * object keyed by name; user properties stay an array of [name, value] pairs in wire order
 * (duplicates kept) and subscription identifiers an array in wire order.
 */

import type { ByteReader } from "./byte-reader.js";
import {
  binaryFieldLength,
  MAX_VARIABLE_BYTE_INTEGER,
  stringFieldLength,
  varintLength,
  writeBinary,
  writeString,
  writeU8,
  writeU16,
  writeU32,
  writeVarint,
} from "./byte-writer.js";
import { codecError, invalidPacket } from "./errors.js";
import type { AllProperties, UserProperty } from "./types.js";

/** Where a property section sits: a packet type, or the will properties of CONNECT. */
export const PropertyContext = {
  will: 1 << 0,
  connect: 1 << 1,
  connack: 1 << 2,
  publish: 1 << 3,
  puback: 1 << 4,
  pubrec: 1 << 5,
  pubrel: 1 << 6,
  pubcomp: 1 << 7,
  subscribe: 1 << 8,
  suback: 1 << 9,
  unsubscribe: 1 << 10,
  unsuback: 1 << 11,
  disconnect: 1 << 14,
  auth: 1 << 15,
} as const;
export type PropertyContextName = keyof typeof PropertyContext;

type WireType =
  | "byte"
  | "twoByteInteger"
  | "fourByteInteger"
  | "variableByteInteger"
  | "utf8String"
  | "binaryData"
  | "utf8StringPair";

/** What a value must satisfy beyond its wire type. */
type ValueRule = "any" | "zeroOrOne" | "boolean" | "nonZero";

interface PropertyDefinition {
  readonly id: number;
  readonly name: keyof AllProperties;
  readonly wireType: WireType;
  readonly rule: ValueRule;
  readonly contexts: number;
}

const C = PropertyContext;
const ACKS = C.puback | C.pubrec | C.pubrel | C.pubcomp | C.suback | C.unsuback;
const EVERY_CONTEXT = Object.values(PropertyContext).reduce((mask, bit) => mask | bit, 0);

function row(
  id: number,
  name: keyof AllProperties,
  wireType: WireType,
  contexts: number,
  rule: ValueRule = "any",
): PropertyDefinition {
  return { id, name, wireType, rule, contexts };
}

/** MQTT 5.0 section 2.2.2.2, table 2-4. */
export const PROPERTY_TABLE: readonly PropertyDefinition[] = [
  row(0x01, "payloadFormatIndicator", "byte", C.publish | C.will, "zeroOrOne"),
  row(0x02, "messageExpiryInterval", "fourByteInteger", C.publish | C.will),
  row(0x03, "contentType", "utf8String", C.publish | C.will),
  row(0x08, "responseTopic", "utf8String", C.publish | C.will),
  row(0x09, "correlationData", "binaryData", C.publish | C.will),
  row(0x0b, "subscriptionIdentifiers", "variableByteInteger", C.publish | C.subscribe, "nonZero"),
  row(0x11, "sessionExpiryInterval", "fourByteInteger", C.connect | C.connack | C.disconnect),
  row(0x12, "assignedClientIdentifier", "utf8String", C.connack),
  row(0x13, "serverKeepAlive", "twoByteInteger", C.connack),
  row(0x15, "authenticationMethod", "utf8String", C.connect | C.connack | C.auth),
  row(0x16, "authenticationData", "binaryData", C.connect | C.connack | C.auth),
  row(0x17, "requestProblemInformation", "byte", C.connect, "boolean"),
  row(0x18, "willDelayInterval", "fourByteInteger", C.will),
  row(0x19, "requestResponseInformation", "byte", C.connect, "boolean"),
  row(0x1a, "responseInformation", "utf8String", C.connack),
  row(0x1c, "serverReference", "utf8String", C.connack | C.disconnect),
  row(0x1f, "reasonString", "utf8String", C.connack | ACKS | C.disconnect | C.auth),
  row(0x21, "receiveMaximum", "twoByteInteger", C.connect | C.connack, "nonZero"),
  row(0x22, "topicAliasMaximum", "twoByteInteger", C.connect | C.connack),
  row(0x23, "topicAlias", "twoByteInteger", C.publish, "nonZero"),
  row(0x24, "maximumQoS", "byte", C.connack, "zeroOrOne"),
  row(0x25, "retainAvailable", "byte", C.connack, "boolean"),
  row(0x26, "userProperties", "utf8StringPair", EVERY_CONTEXT),
  row(0x27, "maximumPacketSize", "fourByteInteger", C.connect | C.connack, "nonZero"),
  row(0x28, "wildcardSubscriptionAvailable", "byte", C.connack, "boolean"),
  row(0x29, "subscriptionIdentifiersAvailable", "byte", C.connack, "boolean"),
  row(0x2a, "sharedSubscriptionAvailable", "byte", C.connack, "boolean"),
];

const BY_ID: readonly (PropertyDefinition | undefined)[] = (() => {
  const byId: (PropertyDefinition | undefined)[] = [];
  for (const definition of PROPERTY_TABLE) byId[definition.id] = definition;
  return byId;
})();

const BY_NAME: ReadonlyMap<string, PropertyDefinition> = new Map(
  PROPERTY_TABLE.map((definition) => [definition.name, definition]),
);

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Reads a property section (Property Length, then properties) for `context`. Unknown or
 * misplaced identifiers, repeats and out-of-range values throw typed errors.
 */
export function decodeProperties(reader: ByteReader, context: PropertyContextName): AllProperties {
  const length = reader.varint("property length");
  reader.need(length, "properties");
  const properties: Record<string, unknown> = {};
  if (length === 0) return properties;
  const contextBit = PropertyContext[context];
  const packetEnd = reader.end;
  const sectionEnd = reader.offset + length;
  reader.end = sectionEnd;
  while (reader.offset < sectionEnd) {
    const id = reader.varint("property identifier");
    const definition = BY_ID[id];
    if (definition === undefined) {
      throw codecError("MQTT_ERR_INVALID_PROPERTY", `unknown property identifier 0x${hex(id)}`);
    }
    if ((definition.contexts & contextBit) === 0) {
      throw codecError(
        "MQTT_ERR_INVALID_PROPERTY",
        `property ${definition.name} (0x${hex(id)}) is not allowed in ${context}`,
      );
    }
    readProperty(reader, definition, properties, context);
  }
  reader.end = packetEnd;
  if (
    properties.authenticationData !== undefined &&
    properties.authenticationMethod === undefined
  ) {
    throw codecError(
      "MQTT_ERR_INVALID_PROPERTY_VALUE",
      "authenticationData without authenticationMethod",
      "MQTT-3.1.2.11.10",
    );
  }
  return properties;
}

function readProperty(
  reader: ByteReader,
  definition: PropertyDefinition,
  properties: Record<string, unknown>,
  context: PropertyContextName,
): void {
  const name = definition.name;
  if (definition.wireType === "utf8StringPair") {
    const pair: UserProperty = [reader.utf8("user property name"), reader.utf8("user property")];
    const list = properties[name] as UserProperty[] | undefined;
    if (list === undefined) properties[name] = [pair];
    else list.push(pair);
    return;
  }
  if (definition.wireType === "variableByteInteger") {
    // Subscription Identifier: repeatable in PUBLISH only (5.0 section 3.8.2.1.2).
    const value = reader.varint(name);
    checkDecodedValue(definition, value);
    const list = properties[name] as number[] | undefined;
    if (list === undefined) properties[name] = [value];
    else if (context === "publish") list.push(value);
    else throw duplicate(definition);
    return;
  }
  if (properties[name] !== undefined) throw duplicate(definition);
  switch (definition.wireType) {
    case "byte": {
      const value = reader.u8(name);
      checkDecodedValue(definition, value);
      properties[name] = definition.rule === "boolean" ? value === 1 : value;
      return;
    }
    case "twoByteInteger": {
      const value = reader.u16(name);
      checkDecodedValue(definition, value);
      properties[name] = value;
      return;
    }
    case "fourByteInteger": {
      const value = reader.u32(name);
      checkDecodedValue(definition, value);
      properties[name] = value;
      return;
    }
    case "utf8String":
      properties[name] = reader.utf8(name);
      return;
    case "binaryData":
      properties[name] = reader.binary(name);
      return;
  }
}

function duplicate(definition: PropertyDefinition) {
  return codecError(
    "MQTT_ERR_DUPLICATE_PROPERTY",
    `property ${definition.name} (0x${hex(definition.id)}) appears more than once`,
  );
}

function checkDecodedValue(definition: PropertyDefinition, value: number): void {
  if (valueAllowed(definition.rule, value)) return;
  throw codecError(
    "MQTT_ERR_INVALID_PROPERTY_VALUE",
    `property ${definition.name} has the invalid value ${value}`,
  );
}

function valueAllowed(rule: ValueRule, value: number): boolean {
  switch (rule) {
    case "any":
      return true;
    case "zeroOrOne":
    case "boolean":
      return value === 0 || value === 1;
    case "nonZero":
      return value !== 0;
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Size of the properties' content (without the Property Length prefix). Validates every
 * property for `context` and throws MQTT_ERR_INVALID_PACKET naming the field: `field` is the
 * path of the properties object with `#` standing for the property name.
 */
export function propertiesContentLength(
  properties: AllProperties | undefined,
  context: PropertyContextName,
  field = "properties.#",
): number {
  if (properties === undefined) return 0;
  if (typeof properties !== "object" || properties === null) {
    throw invalidPacket(field.slice(0, -2), "must be an object");
  }
  const contextBit = PropertyContext[context];
  let length = 0;
  for (const name in properties) {
    const value = (properties as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const definition = BY_NAME.get(name);
    if (definition === undefined) throw invalidPacket(field, "is not an MQTT 5.0 property", name);
    if ((definition.contexts & contextBit) === 0) {
      throw invalidPacket(field, `is not allowed in ${context}`, name);
    }
    length += propertyLength(definition, value, field, context);
  }
  // 5.0 sections 3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3: data only with a method.
  if (
    properties.authenticationData !== undefined &&
    properties.authenticationMethod === undefined
  ) {
    throw invalidPacket(field, "requires authenticationMethod", "authenticationData");
  }
  return length;
}

/** Size of a property section: Property Length prefix plus content. */
export function propertiesSectionLength(contentLength: number): number {
  return varintLength(contentLength) + contentLength;
}

function propertyLength(
  definition: PropertyDefinition,
  value: unknown,
  field: string,
  context: PropertyContextName,
): number {
  const name = definition.name;
  switch (definition.wireType) {
    case "byte":
      if (definition.rule === "boolean") {
        if (typeof value !== "boolean") throw invalidPacket(field, "must be a boolean", name);
      } else if (value !== 0 && value !== 1) {
        throw invalidPacket(field, "must be 0 or 1", name);
      }
      return 2;
    case "twoByteInteger":
      checkInteger(value, 0xffff, definition, field);
      return 3;
    case "fourByteInteger":
      checkInteger(value, 0xffff_ffff, definition, field);
      return 5;
    case "variableByteInteger": {
      if (!Array.isArray(value)) throw invalidPacket(field, "must be an array", name);
      if (context === "subscribe" && value.length > 1) {
        throw invalidPacket(field, "SUBSCRIBE carries at most one subscription identifier", name);
      }
      let length = 0;
      for (const identifier of value) {
        checkInteger(identifier, MAX_VARIABLE_BYTE_INTEGER, definition, field);
        length += 1 + varintLength(identifier as number);
      }
      return length;
    }
    case "utf8String":
      return 1 + stringFieldLength(value as string, field, name);
    case "binaryData":
      return 1 + binaryFieldLength(value as Uint8Array, field, name);
    case "utf8StringPair": {
      if (!Array.isArray(value))
        throw invalidPacket(field, "must be an array of [name, value]", name);
      let length = 0;
      for (const pair of value as readonly unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw invalidPacket(field, "must be an array of [name, value]", name);
        }
        length +=
          1 + stringFieldLength(pair[0], field, name) + stringFieldLength(pair[1], field, name);
      }
      return length;
    }
  }
}

function checkInteger(
  value: unknown,
  maximum: number,
  definition: PropertyDefinition,
  field: string,
): void {
  const minimum = definition.rule === "nonZero" ? 1 : 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw invalidPacket(field, `must be an integer from ${minimum} to ${maximum}`, definition.name);
  }
}

/**
 * Writes a property section whose content was measured by propertiesContentLength as
 * `contentLength`; returns the offset past it.
 */
export function writeProperties(
  target: Uint8Array,
  offset: number,
  properties: AllProperties | undefined,
  contentLength: number,
): number {
  let position = writeVarint(target, offset, contentLength);
  if (properties === undefined || contentLength === 0) return position;
  for (const name in properties) {
    const value = (properties as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const definition = BY_NAME.get(name) as PropertyDefinition;
    position = writeProperty(target, position, definition, value);
  }
  return position;
}

function writeProperty(
  target: Uint8Array,
  offset: number,
  definition: PropertyDefinition,
  value: unknown,
): number {
  const id = definition.id;
  switch (definition.wireType) {
    case "byte":
      return writeU8(target, writeU8(target, offset, id), value === true ? 1 : Number(value));
    case "twoByteInteger":
      return writeU16(target, writeU8(target, offset, id), value as number);
    case "fourByteInteger":
      return writeU32(target, writeU8(target, offset, id), value as number);
    case "variableByteInteger": {
      let position = offset;
      for (const identifier of value as readonly number[]) {
        position = writeVarint(target, writeU8(target, position, id), identifier);
      }
      return position;
    }
    case "utf8String": {
      const text = value as string;
      return writeString(target, writeU8(target, offset, id), text, stringFieldLength(text, ""));
    }
    case "binaryData":
      return writeBinary(target, writeU8(target, offset, id), value as Uint8Array);
    case "utf8StringPair": {
      let position = offset;
      for (const [name, text] of value as readonly UserProperty[]) {
        position = writeU8(target, position, id);
        position = writeString(target, position, name, stringFieldLength(name, ""));
        position = writeString(target, position, text, stringFieldLength(text, ""));
      }
      return position;
    }
  }
}
