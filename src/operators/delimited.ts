import { Observable, type OperatorFunction } from 'rxjs';
import { invalidArgType, invalidArgValue } from '../core/argErrors.js';
import { feedChunks } from './feedChunks.js';
import { checkSizeLimit } from './frameOptions.js';
import { FrameTooLargeError } from '../core/errors.js';

const NO_BYTES = new Uint8Array(0);

/**
 * Options of {@link delimited}.
 * @group Operators: framing
 */
export interface DelimitedOptions {
  /**
   * Longest frame accepted, in bytes, not counting its delimiter.
   * @defaultValue `Infinity` (no limit)
   */
  readonly maxLength?: number;
}

function checkDelimiter(value: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (ArrayBuffer.isView(value))
    bytes = new Uint8Array(
      value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength),
    );
  else throw invalidArgType('delimiter', 'of type string or an instance of Uint8Array', value);
  if (bytes.byteLength === 0) throw invalidArgValue('delimiter', 'must not be empty');
  return bytes;
}

/**
 * How common `byte` is in typical data, to choose which delimiter byte to look for: control
 * bytes (`\n`, `\r`, `\0`, ...) are the rarest; ASCII letters, digits and spaces the most common.
 */
function commonness(byte: number): number {
  if (byte < 0x20 || byte === 0x7f) return 0;
  const lower = byte | 0x20;
  if (byte === 0x20 || (byte >= 0x30 && byte <= 0x39) || (lower >= 0x61 && lower <= 0x7a)) return 2;
  return 1;
}

/** The position in `delimiter` of its least common byte (the last one, on a tie). */
function anchorOf(delimiter: Uint8Array): number {
  let anchor = 0;
  delimiter.forEach((byte, i) => {
    if (commonness(byte) <= commonness(delimiter[anchor] ?? 0)) anchor = i;
  });
  return anchor;
}

/**
 * Splits a byte stream into frames separated by `delimiter`, without the delimiter. The output
 * is the same whatever the chunk boundaries: a delimiter split across chunks is found. Frames
 * may be empty (two delimiters in a row); when the source completes, the bytes after the last
 * delimiter are emitted as a last frame if there are any. Delimiters do not overlap: with `'aa'`,
 * the bytes `aaa` are an empty frame then `a`. This is the framing of asyncio's
 * `StreamReader.readuntil(separator)`, which keeps the separator; `delimited` drops it.
 *
 * A frame that lies whole inside one chunk is emitted as a view of that chunk (`subarray`, no
 * copy); a frame that spans chunks is a new array. So a frame shares memory with its chunk: a
 * producer that reuses its buffers, or a consumer that keeps small frames of large chunks for
 * long, should copy them (`frame.slice()`). Bytes kept between chunks are always copies.
 *
 * A frame longer than `maxLength` errors the output with {@link FrameTooLargeError} as soon as
 * the bytes received for it are known to exceed the limit, before they are buffered: at most
 * `maxLength + delimiter length - 1` bytes are held between chunks.
 *
 * ```
 * source: --a--b--c--|    a: 'ab,c', b: 'd,', c: ',e'
 * result: --x--y--z--(w|) x: 'ab', y: 'cd', z: '', w: 'e'
 * ```
 * (with `delimited(',')`; `a`, `b`, `c` and the results are UTF-8 bytes.)
 *
 * @param delimiter - The bytes between frames; a string is UTF-8 encoded. Copied, not empty.
 * @param options - `maxLength`: longest frame in bytes, delimiter not counted (default: none).
 * @returns An operator from `Uint8Array` chunks to `Uint8Array` frames.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for a delimiter that is neither a string nor bytes,
 * `ERR_INVALID_ARG_VALUE` for an empty one (asyncio: `ValueError`); `ERR_INVALID_ARG_TYPE` /
 * RangeError `ERR_OUT_OF_RANGE` for a bad `maxLength`.
 * @see `lines`, for UTF-8 text lines ending in `\n` or `\r\n`; `lengthPrefixed`.
 *
 * @example
 * ```ts
 * import type { SocketTransport } from 'rxtransport';
 * import { delimited } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * // NUL-terminated messages of at most 64 KiB.
 * transport.data$.pipe(delimited('\0', { maxLength: 65536 })).subscribe((message) => {
 *   console.log(message.byteLength);
 * });
 * ```
 * @group Operators: framing
 */
export function delimited(
  delimiter: Uint8Array | string,
  options: DelimitedOptions = {},
): OperatorFunction<Uint8Array, Uint8Array> {
  const delim = checkDelimiter(delimiter);
  const maxLength = checkSizeLimit(
    'options.maxLength',
    (options as Partial<DelimitedOptions> | null)?.maxLength,
  );
  const size = delim.byteLength;
  // The search looks for one byte of the delimiter with the native indexOf, then checks the rest.
  const anchor = anchorOf(delim);
  const anchorByte = delim[anchor] ?? -1;
  const tooLarge = () =>
    new FrameTooLargeError(`A frame is longer than maxLength (${maxLength} bytes)`);

  /** Where the first whole delimiter in `bytes` at or after `from` starts, or -1. */
  const find = (bytes: Uint8Array, from: number): number => {
    const lastStart = bytes.byteLength - size;
    for (
      let hit = bytes.indexOf(anchorByte, from + anchor);
      hit >= 0;
      hit = bytes.indexOf(anchorByte, hit + 1)
    ) {
      const at = hit - anchor;
      if (at > lastStart) return -1;
      let matched = 0;
      while (matched < size && bytes[at + matched] === delim[matched]) matched++;
      if (matched === size) return at;
    }
    return -1;
  };

  return (source) =>
    new Observable<Uint8Array>((subscriber) => {
      // The frame received so far, as copies of the chunk tails that carried it. It holds no
      // whole delimiter; its last `size - 1` bytes may be the start of one.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;

      /** Copies the last `count` pending bytes to the start of `into`. */
      const copyPendingTail = (into: Uint8Array, count: number): void => {
        let end = count;
        for (let i = pending.length - 1; i >= 0 && end > 0; i--) {
          const piece = pending[i] ?? NO_BYTES;
          const n = Math.min(end, piece.byteLength);
          into.set(piece.subarray(piece.byteLength - n), end - n);
          end -= n;
        }
      };

      /** Emits the pending bytes then `tail`, cut to `length`; false once the output closed. */
      const emit = (tail: Uint8Array, length: number): boolean => {
        if (length > maxLength) {
          subscriber.error(tooLarge());
          return false;
        }
        const head = pending[0];
        let frame: Uint8Array;
        if (length === 0)
          frame = new Uint8Array(0); // not a view that keeps its chunk alive
        else if (head === undefined) frame = tail.subarray(0, length);
        else if (length <= head.byteLength) frame = head.subarray(0, length);
        else {
          frame = new Uint8Array(length);
          let offset = 0;
          for (const piece of pending) {
            const n = Math.min(piece.byteLength, length - offset);
            frame.set(piece.subarray(0, n), offset);
            offset += n;
          }
          frame.set(tail.subarray(0, length - offset), offset);
        }
        pending = [];
        pendingBytes = 0;
        subscriber.next(frame);
        return !subscriber.closed;
      };

      /** Emits the frames `chunk` completes and keeps its tail; scans only the new bytes. */
      const feed = (chunk: Uint8Array): void => {
        let start = 0;
        if (pendingBytes > 0 && size > 1) {
          // A delimiter that starts in the pending bytes and ends in this chunk.
          const kept = Math.min(size - 1, pendingBytes);
          const probe = new Uint8Array(kept + Math.min(size - 1, chunk.byteLength));
          copyPendingTail(probe, kept);
          probe.set(chunk.subarray(0, probe.byteLength - kept), kept);
          // Any match starts in the kept bytes: the probe holds fewer than `size` of the chunk.
          const at = find(probe, 0);
          if (at >= 0) {
            if (!emit(NO_BYTES, pendingBytes - kept + at)) return;
            start = size - (kept - at);
          }
        }
        for (let end = find(chunk, start); end >= 0; end = find(chunk, start)) {
          if (!emit(chunk.subarray(start, end), pendingBytes + end - start)) return;
          start = end + size;
        }
        const rest = chunk.byteLength - start;
        if (rest === 0) return;
        // The frame is at least this long, even if its last bytes start a delimiter.
        if (pendingBytes + rest - (size - 1) > maxLength) {
          subscriber.error(tooLarge());
          return;
        }
        // A copy: the producer may reuse its buffer (and a Buffer's slice() is a view).
        pending.push(new Uint8Array(chunk.subarray(start)));
        pendingBytes += rest;
      };

      /** The source completed: the bytes after the last delimiter, if any, are a frame. */
      const finish = (): void => {
        if (pendingBytes > 0 && !emit(NO_BYTES, pendingBytes)) return;
        subscriber.complete();
      };

      return feedChunks(source, subscriber, feed, finish);
    });
}
