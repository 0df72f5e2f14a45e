export { duplexPair } from "./duplex-pair.js";
export { byteAtATime, concatBytes, everySplit, splitAt } from "./chunks.js";
export { hex, toHex } from "./hex.js";
