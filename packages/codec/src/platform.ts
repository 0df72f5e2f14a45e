/**
 * Optional speed-ups from the Node.js `Buffer`, feature-detected so that the codec still runs
 * in browsers (where every helper falls back to plain `Uint8Array`, `TextEncoder` and
 * `TextDecoder`). Nothing here is imported from Node.
 */

interface NodeBufferPrototype {
  utf8Slice(this: Uint8Array, start: number, end: number): string;
  latin1Slice(this: Uint8Array, start: number, end: number): string;
  utf8Write(this: Uint8Array, text: string, offset: number, length: number): number;
}

interface NodeBufferConstructor {
  allocUnsafe(size: number): Uint8Array;
  prototype: NodeBufferPrototype;
}

const nodeBuffer = (globalThis as { Buffer?: NodeBufferConstructor }).Buffer;
const bufferPrototype =
  nodeBuffer !== undefined &&
  typeof nodeBuffer.allocUnsafe === "function" &&
  typeof nodeBuffer.prototype.utf8Slice === "function" &&
  typeof nodeBuffer.prototype.latin1Slice === "function" &&
  typeof nodeBuffer.prototype.utf8Write === "function"
    ? nodeBuffer.prototype
    : undefined;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A fresh byte array of `size` bytes whose content is unspecified (callers overwrite every
 * byte). A pooled Node `Buffer` where available: far cheaper than a zero-filled allocation.
 */
export const allocateBytes: (size: number) => Uint8Array =
  nodeBuffer !== undefined && bufferPrototype !== undefined
    ? (size) => nodeBuffer.allocUnsafe(size)
    : (size) => new Uint8Array(size);

/** Decodes bytes already validated as UTF-8. */
export function decodeValidUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (bufferPrototype !== undefined) return bufferPrototype.utf8Slice.call(bytes, start, end);
  return textDecoder.decode(bytes.subarray(start, end));
}

/** Decodes bytes already known to be ASCII (every byte below 0x80). */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  if (bufferPrototype !== undefined) return bufferPrototype.latin1Slice.call(bytes, start, end);
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** Writes a string without lone surrogates as UTF-8 at `offset`; `byteLength` is its size. */
export function writeUtf8Native(
  target: Uint8Array,
  offset: number,
  text: string,
  byteLength: number,
): void {
  if (bufferPrototype !== undefined) {
    bufferPrototype.utf8Write.call(target, text, offset, byteLength);
  } else {
    textEncoder.encodeInto(text, target.subarray(offset, offset + byteLength));
  }
}
