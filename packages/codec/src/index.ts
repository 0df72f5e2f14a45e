/**
 * @ternmq/codec: MQTT 3.1, 3.1.1 and 5.0 packets to bytes and back. Pure: no I/O, no Node
 * modules; runs in browsers.
 */
export { type DecodeOptions, Decoder, type DecoderOptions, decode } from "./decoder.js";
export { type EncodeOptions, encode, encodedLength, encodeInto } from "./encode.js";
export type { CodecErrorCode } from "./errors.js";
export { MqttError, type MqttErrorOptions } from "./mqtt-error.js";
export { type PreparedPublish, preparePublish } from "./prepared-publish.js";
export * from "./types.js";
