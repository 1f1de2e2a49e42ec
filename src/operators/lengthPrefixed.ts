import { Observable, type OperatorFunction } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';
import { feedChunks } from './feedChunks.js';
import { checkSizeLimit, checkHeaderBytes } from './frameOptions.js';
import { readLength } from './lengthHeader.js';
import { FrameTooLargeError, IncompleteFrameError } from '../core/errors.js';

/**
 * A payload split across chunks is assembled in a buffer that starts at this size (or the
 * payload's, if smaller) and doubles as bytes arrive, so that a header alone, announcing a
 * large payload, cannot make the operator allocate more than this.
 */
const INITIAL_CAPACITY = 64 * 1024;

/**
 * Options of {@link lengthPrefixed}.
 * @group Operators: framing
 */
export interface LengthPrefixedOptions {
  /** Size of the big-endian unsigned length header: 1, 2 or 4 bytes. */
  readonly headerBytes: 1 | 2 | 4;
  /**
   * Largest payload accepted, in bytes, header not counted.
   * @defaultValue `Infinity` (the header's own limit: 255, 65535 or 4294967295)
   */
  readonly maxFrame?: number;
}

/**
 * Splits a byte stream into length-prefixed frames and emits their payloads: each frame is a
 * big-endian unsigned header of `headerBytes` bytes giving the payload's length (the header not
 * counted), then the payload. The output is the same whatever the chunk boundaries, a header
 * split across chunks included. Empty payloads are valid and emitted. If the source completes
 * inside a frame (part of a header, or a short payload), the output errors with
 * {@link IncompleteFrameError} (`ERR_INCOMPLETE_FRAME`; asyncio's `readexactly()` raises
 * `IncompleteReadError` there).
 *
 * A payload that lies whole inside one chunk is emitted as a view of that chunk (`subarray`, no
 * copy); one that spans chunks is assembled, each byte copied once, in a new array. So a payload
 * shares memory with its chunk: a producer that reuses its buffers, or a consumer that keeps
 * small payloads of large chunks for long, should copy them (`payload.slice()`).
 *
 * A header announcing more than `maxFrame` bytes errors the output with
 * {@link FrameTooLargeError} at once, before any of the payload is buffered. The buffer of a
 * payload split across chunks grows with the bytes received (from 64 KiB, doubling), so a
 * header alone does not reserve its announced size.
 *
 * ```
 * source: -a-b-----|    a: [0, 2, 104], b: [105, 0, 0, 0, 1, 33]
 * result: ---(xyz)-|    x: 'hi', y: '', z: '!'
 * ```
 * (with `lengthPrefixed({ headerBytes: 2 })`; `x`, `y` and `z` are the UTF-8 bytes shown.)
 *
 * @param options - `headerBytes`: 1, 2 or 4 (required);
 * `maxFrame`: largest payload in bytes (default: none beyond the header's).
 * @returns An operator from `Uint8Array` chunks to `Uint8Array` payloads.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / RangeError `ERR_OUT_OF_RANGE` for bad options.
 * @see `encodeLengthPrefixed`, for the other direction; `delimited`.
 *
 * @example
 * ```ts
 * import type { SocketTransport } from 'rxtransport';
 * import { encodeLengthPrefixed, lengthPrefixed } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * // Echo each message back; a header announcing more than 1 MiB ends it with
 * // ERR_FRAME_TOO_LARGE.
 * transport.data$
 *   .pipe(
 *     lengthPrefixed({ headerBytes: 4, maxFrame: 1 << 20 }),
 *     encodeLengthPrefixed({ headerBytes: 4 }),
 *   )
 *   .subscribe(transport.sink);
 * ```
 * @group Operators: framing
 */
export function lengthPrefixed(
  options: LengthPrefixedOptions,
): OperatorFunction<Uint8Array, Uint8Array> {
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'of type object', options);
  const headerBytes = checkHeaderBytes(options.headerBytes);
  const maxFrame = checkSizeLimit('options.maxFrame', options.maxFrame);

  return (source) =>
    new Observable<Uint8Array>((subscriber) => {
      // The announced payload length, or -1 while reading a header.
      let length = -1;
      // A header split across chunks: its bytes so far, as a number, and how many.
      let header = 0;
      let headerReceived = 0;
      // A payload split across chunks: the part received so far (a copy).
      let received = 0;
      let payload: Uint8Array | undefined;

      /** A header announced `announced` bytes; false once the output closed. */
      const startPayload = (announced: number): boolean => {
        if (announced > maxFrame) {
          subscriber.error(
            new FrameTooLargeError(
              `A frame header announces ${announced} bytes, more than maxFrame (${maxFrame})`,
            ),
          );
          return false;
        }
        if (announced === 0) {
          // Not a view of the chunk, which it would keep alive.
          subscriber.next(new Uint8Array(0));
          return !subscriber.closed;
        }
        length = announced;
        received = 0;
        return true;
      };

      /** Reads header bytes from `offset` on; the new offset, or -1 if `chunk` ran out first. */
      const readHeaderBytes = (chunk: Uint8Array, offset: number): number => {
        const end = chunk.byteLength;
        while (headerReceived < headerBytes && offset < end) {
          header = header * 256 + (chunk[offset] as number);
          headerReceived++;
          offset++;
        }
        return headerReceived < headerBytes ? -1 : offset;
      };

      /** Copies `bytes` (no more than the payload still misses) after those received. */
      const append = (bytes: Uint8Array): void => {
        const needed = received + bytes.byteLength;
        if (payload === undefined || needed > payload.byteLength) {
          const doubled = 2 * (payload?.byteLength ?? 0);
          const grown = new Uint8Array(
            Math.min(length, Math.max(needed, doubled, INITIAL_CAPACITY)),
          );
          if (payload !== undefined) grown.set(payload.subarray(0, received));
          payload = grown;
        }
        payload.set(bytes, received);
        received = needed;
      };

      /**
       * Emits the payloads `chunk` completes and keeps the rest. The common case, a whole
       * frame inside the chunk, reads the header in place and emits a view made from the
       * chunk's buffer: `subarray` of a Node Buffer costs twice as much, through its species
       * constructor.
       */
      const feed = (chunk: Uint8Array): void => {
        const end = chunk.byteLength;
        const buffer = chunk.buffer;
        const base = chunk.byteOffset;
        let offset = 0;
        while (offset < end) {
          if (length < 0) {
            let announced: number;
            if (headerReceived === 0 && end - offset >= headerBytes) {
              announced = readLength(chunk, offset, headerBytes);
              offset += headerBytes;
            } else {
              offset = readHeaderBytes(chunk, offset);
              if (offset < 0) return;
              announced = header;
              header = 0;
              headerReceived = 0;
            }
            if (!startPayload(announced)) return;
            continue;
          }
          const available = end - offset;
          if (received === 0 && available >= length) {
            // The whole payload is in this chunk: a view, no copy.
            const frame = new Uint8Array(buffer, base + offset, length);
            offset += length;
            length = -1;
            subscriber.next(frame);
            if (subscriber.closed) return;
            continue;
          }
          const take = Math.min(length - received, available);
          append(chunk.subarray(offset, offset + take));
          offset += take;
          if (received === length && payload !== undefined) {
            const frame = payload;
            payload = undefined;
            length = -1;
            subscriber.next(frame);
            if (subscriber.closed) return;
          }
        }
      };

      /** The source completed: it must not have stopped inside a frame. */
      const finish = (): void => {
        if (length >= 0) {
          subscriber.error(
            new IncompleteFrameError(
              `The source completed inside a frame (${received} of ${length} payload bytes)`,
            ),
          );
        } else if (headerReceived > 0) {
          subscriber.error(
            new IncompleteFrameError(
              `The source completed inside a frame header (${headerReceived} of ${headerBytes} bytes)`,
            ),
          );
        } else {
          subscriber.complete();
        }
      };

      return feedChunks(source, subscriber, feed, finish);
    });
}
