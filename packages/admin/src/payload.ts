/**
 * How a message payload appears in the JSON API: UTF-8 text when it decodes as such, base64
 * otherwise, cut to a preview length.
 */

/** Payload bytes shown in the API and kept by the topic tree per topic. */
export const PAYLOAD_PREVIEW_BYTES = 1024;

export interface PayloadPreview {
  /** The (first `PAYLOAD_PREVIEW_BYTES` bytes of the) payload, as `encoding` says. */
  readonly payload: string;
  readonly encoding: "utf8" | "base64";
  /** The whole payload's size. */
  readonly bytes: number;
  /** True when `payload` holds only the first bytes. */
  readonly truncated: boolean;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function previewPayload(payload: Uint8Array, bytes = payload.length): PayloadPreview {
  const shown =
    payload.length > PAYLOAD_PREVIEW_BYTES ? payload.subarray(0, PAYLOAD_PREVIEW_BYTES) : payload;
  const truncated = bytes > shown.length;
  // A cut may split the last UTF-8 sequence (up to 3 bytes of a 4-byte one): text without it.
  const cuts = truncated ? 3 : 0;
  for (let cut = 0; cut <= cuts; cut++) {
    const text = decodeUtf8(shown.subarray(0, shown.length - cut));
    if (text !== undefined) return { payload: text, encoding: "utf8", bytes, truncated };
  }
  return { payload: Buffer.from(shown).toString("base64"), encoding: "base64", bytes, truncated };
}

/** The text of `bytes`, or undefined when they are not valid UTF-8 (binary payloads). */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
