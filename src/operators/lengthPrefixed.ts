import { Observable, type OperatorFunction } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';
import { checkSizeLimit, checkHeaderBytes } from './frameOptions.js';
import { viewBytes } from '../core/bytes.js';
import { FrameTooLargeError, IncompleteFrameError } from '../core/errors.js';

/**
 * A payload split across chunks is assembled in a buffer that starts at this size (or the
 * payload's, if smaller) and doubles as bytes arrive, so that a header alone, announcing a
 * large payload, cannot make the operator allocate more than this.
 */
const INITIAL_CAPACITY = 64 * 1024;

/** Options of {@link lengthPrefixed}. */
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
      let state: 'header' | 'payload' = 'header';
      // 'header': the header bytes received so far, as a number.
      let headerReceived = 0;
      let header = 0;
      // 'payload': the announced length, and the part received so far (a copy).
      let length = 0;
      let received = 0;
      let payload: Uint8Array | undefined;
      // Chunks (and the completion) that a re-entrant source sends while a payload is being
      // emitted wait until the chunk before them is done, so that payloads keep their order.
      const inbox: Uint8Array[] = [];
      let sourceDone = false;
      let pumping = false;

      /** Emits `frame` and reads a header next; false once the output closed. */
      const emit = (frame: Uint8Array): boolean => {
        state = 'header';
        payload = undefined;
        subscriber.next(frame);
        return !subscriber.closed;
      };

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
        // Not a view of the chunk, which it would keep alive.
        if (announced === 0) return emit(new Uint8Array(0));
        state = 'payload';
        length = announced;
        received = 0;
        return true;
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

      /** Emits the payloads `chunk` completes and keeps the rest. */
      const feed = (chunk: Uint8Array): void => {
        let offset = 0;
        while (offset < chunk.byteLength) {
          switch (state) {
            case 'header': {
              while (headerReceived < headerBytes && offset < chunk.byteLength) {
                header = header * 256 + (chunk[offset] ?? 0);
                headerReceived++;
                offset++;
              }
              if (headerReceived < headerBytes) return;
              const announced = header;
              headerReceived = 0;
              header = 0;
              if (!startPayload(announced)) return;
              break;
            }
            case 'payload': {
              const available = chunk.byteLength - offset;
              if (received === 0 && available >= length) {
                // The whole payload is in this chunk: a view, no copy.
                offset += length;
                if (!emit(chunk.subarray(offset - length, offset))) return;
                break;
              }
              const take = Math.min(length - received, available);
              append(chunk.subarray(offset, offset + take));
              offset += take;
              if (received === length && payload !== undefined && !emit(payload)) return;
              break;
            }
          }
        }
      };

      /** The source completed: it must not have stopped inside a frame. */
      const finish = (): void => {
        switch (state) {
          case 'header':
            if (headerReceived === 0) subscriber.complete();
            else
              subscriber.error(
                new IncompleteFrameError(
                  `The source completed inside a frame header (${headerReceived} of ${headerBytes} bytes)`,
                ),
              );
            return;
          case 'payload':
            subscriber.error(
              new IncompleteFrameError(
                `The source completed inside a frame (${received} of ${length} payload bytes)`,
              ),
            );
            return;
        }
      };

      const pump = (): void => {
        if (pumping) return;
        pumping = true;
        try {
          while (inbox.length > 0 && !subscriber.closed) feed(viewBytes(inbox.shift(), 'chunk'));
          if (sourceDone && !subscriber.closed) finish();
        } catch (err: unknown) {
          subscriber.error(err);
        } finally {
          pumping = false;
        }
      };

      return source.subscribe({
        next: (chunk) => {
          inbox.push(chunk);
          pump();
        },
        error: (err: unknown) => {
          subscriber.error(err);
        },
        complete: () => {
          sourceDone = true;
          pump();
        },
      });
    });
}
