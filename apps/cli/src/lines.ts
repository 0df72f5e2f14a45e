/**
 * Splits a byte stream (stdin for `ternmq pub -l`) into lines without decoding it, so that
 * each line is published byte for byte. The `\n` is removed; an empty line is an empty
 * message, as with mosquitto_pub -l; a last line without `\n` is still a line.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    let rest: Buffer = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    for (let end = rest.indexOf(0x0a); end !== -1; end = rest.indexOf(0x0a)) {
      yield rest.subarray(0, end);
      rest = rest.subarray(end + 1);
    }
    pending = rest;
  }
  if (pending.length > 0) yield pending;
}

/** All of a byte stream (stdin for `ternmq pub -s`) as one buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
