import { Observable, type OperatorFunction } from 'rxjs';
import { viewBytes } from '../core/bytes.js';

/**
 * Decodes a UTF-8 byte stream into strings, chunk by chunk. The output is the same text
 * whatever the chunk boundaries: the bytes of a character split across chunks are held until
 * the rest arrives (at most 3 bytes), so a chunk that only completes no character emits nothing;
 * only non-empty strings are emitted. When the source completes, bytes left of an unfinished
 * character are emitted as U+FFFD. Malformed UTF-8 becomes U+FFFD; a byte order mark is kept as
 * U+FEFF (as `lines` does). A value that is not bytes errors the output with a `TypeError` of
 * code `ERR_INVALID_ARG_TYPE`.
 *
 * ```
 * source: --a--b--c--|   a: [0x68, 0xe2], b: [0x82], c: [0xac]
 * result: --x-----y--|   x: 'h', y: '€'
 * ```
 *
 * @returns An operator from `Uint8Array` chunks to `string`s.
 * @see `utf8Encode`, for the other direction; `lines`, to decode and split into lines at once.
 *
 * @example
 * ```ts
 * import type { SocketTransport } from 'rxtransport';
 * import { utf8Decode } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * transport.data$.pipe(utf8Decode()).subscribe((text) => {
 *   console.log(text);
 * });
 * ```
 * @group Operators: framing
 */
export function utf8Decode(): OperatorFunction<Uint8Array, string> {
  return (source) =>
    new Observable<string>((subscriber) => {
      const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      return source.subscribe({
        next: (chunk) => {
          let text: string;
          try {
            text = decoder.decode(viewBytes(chunk, 'chunk'), { stream: true });
          } catch (err: unknown) {
            subscriber.error(err);
            return;
          }
          if (text !== '') subscriber.next(text);
        },
        error: (err: unknown) => {
          subscriber.error(err);
        },
        complete: () => {
          const rest = decoder.decode();
          if (rest !== '') subscriber.next(rest);
          subscriber.complete();
        },
      });
    });
}
