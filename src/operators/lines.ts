import { Observable, type OperatorFunction } from 'rxjs';
import { feedChunks } from './feedChunks.js';
import { checkSizeLimit } from './frameOptions.js';
import { FrameTooLargeError } from '../core/errors.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Options of {@link lines}.
 * @group Operators: framing
 */
export interface LinesOptions {
  /**
   * Longest line accepted, in bytes, not counting its `\n` or `\r\n`.
   * @defaultValue `Infinity` (no limit)
   */
  readonly maxLength?: number;
}

/**
 * Splits a byte stream into UTF-8 text lines, without their `\n` or `\r\n`. The output is the
 * same whatever the chunk boundaries: a character or a `\r\n` split across two chunks survives.
 * When the source completes, a last line without a terminator is emitted if it is not empty.
 * Malformed UTF-8 becomes U+FFFD; a byte order mark is kept as U+FEFF. A lone `\r` is not a
 * terminator and stays in the line.
 *
 * A line longer than `maxLength` errors the output with {@link FrameTooLargeError} as soon as
 * the bytes received for it exceed the limit, before they are buffered, so a peer that never
 * sends a newline cannot make memory grow without bound.
 *
 * ```
 * source: --a--b--c--|    a: 'he', b: 'llo\r\nwo', c: 'rld\nok'
 * result: -----x--y--(z|) x: 'hello', y: 'world', z: 'ok'
 * ```
 * (`a`, `b` and `c` are UTF-8 encoded `Uint8Array` chunks.)
 *
 * @param options - `maxLength`: longest line in bytes, terminator not counted (default: none).
 * @returns An operator from `Uint8Array` chunks to `string` lines.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / RangeError `ERR_OUT_OF_RANGE` for a bad `maxLength`.
 * @see `utf8Encode`, for the other direction.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { lines, utf8Encode } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * // An upper-casing line echo; a line over 1 KiB ends it with ERR_FRAME_TOO_LARGE.
 * transport.data$
 *   .pipe(
 *     lines({ maxLength: 1024 }),
 *     map((line) => `${line.toUpperCase()}\n`),
 *     utf8Encode(),
 *   )
 *   .subscribe(transport.sink);
 * ```
 * @group Operators: framing
 */
export function lines(options: LinesOptions = {}): OperatorFunction<Uint8Array, string> {
  const maxLength = checkSizeLimit(
    'options.maxLength',
    (options as Partial<LinesOptions> | undefined)?.maxLength,
  );
  const tooLarge = () =>
    new FrameTooLargeError(`A line is longer than maxLength (${maxLength} bytes)`);
  return (source) =>
    new Observable<string>((subscriber) => {
      const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      // The line received so far, as copies of the chunk tails that carried it.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      let pendingLast = -1;

      /** The pending pieces, then `tail`, as one line of `length` bytes. */
      const takeLine = (tail: Uint8Array, length: number): Uint8Array => {
        if (pending.length === 0) return tail.subarray(0, length);
        const line = new Uint8Array(pendingBytes + tail.byteLength);
        let offset = 0;
        for (const piece of pending) {
          line.set(piece, offset);
          offset += piece.byteLength;
        }
        line.set(tail, offset);
        pending = [];
        pendingBytes = 0;
        pendingLast = -1;
        return line.subarray(0, length);
      };

      /** Emits the lines `chunk` completes and keeps its tail; scans only the new bytes. */
      const feed = (chunk: Uint8Array): void => {
        let start = 0;
        for (let end = chunk.indexOf(LF); end >= 0; end = chunk.indexOf(LF, start)) {
          const last = end > start ? chunk[end - 1] : pendingLast;
          const length = pendingBytes + (end - start) - (last === CR ? 1 : 0);
          if (length > maxLength) {
            subscriber.error(tooLarge());
            return;
          }
          subscriber.next(decoder.decode(takeLine(chunk.subarray(start, end), length)));
          if (subscriber.closed) return;
          start = end + 1;
        }
        if (start === chunk.byteLength) return;
        // No newline in the rest: it may still end in the `\r` of a `\r\n`.
        const last = chunk[chunk.byteLength - 1] ?? -1;
        const length = pendingBytes + (chunk.byteLength - start) - (last === CR ? 1 : 0);
        if (length > maxLength) {
          subscriber.error(tooLarge());
          return;
        }
        // A copy: the producer may reuse its buffer (and a Buffer's slice() is a view).
        pending.push(new Uint8Array(chunk.subarray(start)));
        pendingBytes += chunk.byteLength - start;
        pendingLast = last;
      };

      /** The source completed: the last line, unterminated (a trailing `\r` is part of it). */
      const finish = (): void => {
        if (pendingBytes > maxLength) {
          subscriber.error(tooLarge());
          return;
        }
        if (pendingBytes > 0) {
          subscriber.next(decoder.decode(takeLine(new Uint8Array(0), pendingBytes)));
        }
        subscriber.complete();
      };

      return feedChunks(source, subscriber, feed, finish);
    });
}
