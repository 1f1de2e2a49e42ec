import type { Writable } from 'node:stream';

/**
 * Hands `chunks` to `stream` in one batch (corked when there are several) and tells whether
 * every byte went out at once, in which case `done` is not owed (the StreamHandle contract).
 * `writableLength` drops to 0 at once when libuv handed every byte to the kernel; a write that
 * failed at once (EPIPE from a reader already gone) leaves it at 0 too, and so does a destroyed
 * stream, which takes nothing: neither counts as written. Node calls write callbacks on a later
 * tick in every case, which is when an 'async' write reports; a failure goes to `failed`, and
 * nothing is reported once `closed()`.
 * @internal
 */
export function writeBatch(
  stream: Writable,
  chunks: readonly Uint8Array[],
  done: () => void,
  failed: (error: Error) => void,
  closed: () => boolean,
): boolean {
  let state: 'pending' | 'sync' | 'async' = 'pending';
  const callback = (error?: Error | null): void => {
    if (error) failed(error);
    else if (state === 'async' && !closed()) done();
  };
  if (chunks.length === 1) {
    stream.write(chunks[0], callback);
  } else {
    stream.cork();
    const last = chunks.length - 1;
    chunks.forEach((chunk, index) => stream.write(chunk, index === last ? callback : undefined));
    stream.uncork();
  }
  state =
    stream.writableLength === 0 && stream.errored === null && !stream.destroyed ? 'sync' : 'async';
  return state === 'sync';
}
