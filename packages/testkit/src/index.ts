export { byteAtATime, concatBytes, everySplit, splitAt } from "./chunks.js";
export { duplexPair } from "./duplex-pair.js";
export { hex, toHex } from "./hex.js";
export {
  ScriptedTransport,
  type ScriptedTransportOptions,
} from "./scripted-transport.js";
