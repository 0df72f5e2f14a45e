/**
 * Ways to cut one byte sequence into chunks, for "split across any chunk boundary"
 * tests of streaming decoders.
 */

/** Every chunking with exactly one cut, plus one byte at a time, plus the whole. */
export function* everySplit(bytes: Uint8Array): Generator<Uint8Array[]> {
  yield [bytes];
  for (let cut = 1; cut < bytes.length; cut++) {
    yield [bytes.subarray(0, cut), bytes.subarray(cut)];
  }
  if (bytes.length > 1) yield byteAtATime(bytes);
}

/** The bytes as single-byte chunks. */
export function byteAtATime(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < bytes.length; index++) chunks.push(bytes.subarray(index, index + 1));
  return chunks;
}

/** Cut `bytes` at the given offsets (sorted, deduplicated, out-of-range ignored). */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)]
    .filter((offset) => offset > 0 && offset < bytes.length)
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Concatenate chunks into one fresh array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
