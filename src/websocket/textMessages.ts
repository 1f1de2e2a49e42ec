/**
 * Text messages through the byte-oriented core: a text message travels as its UTF-8 bytes
 * (what `data$` and the protocols see), and this registry remembers which arrays were text,
 * so that the handle sends them as text frames and `messages$` gives them back as strings.
 * A WeakMap: an array the user drops takes its entry with it.
 * @internal
 */

const texts = new WeakMap<Uint8Array, string>();
const encoder = new TextEncoder();

/** The UTF-8 bytes of a text message, remembered as text. */
export function textMessage(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  texts.set(bytes, text);
  return bytes;
}

/** The text of a message built by {@link textMessage}, or undefined for a binary one. */
export function textOf(bytes: Uint8Array): string | undefined {
  return texts.get(bytes);
}
