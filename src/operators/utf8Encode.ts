import { map, type OperatorFunction } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';

/**
 * Encodes each string as UTF-8 bytes, one `Uint8Array` per string, ready for a transport's
 * `sink` (which refuses strings). Lone surrogates become U+FFFD. A value that is not a string
 * errors the output with a `TypeError` of code `ERR_INVALID_ARG_TYPE`.
 *
 * ```
 * source: --a--b--|   a: 'hi\n', b: 'é'
 * result: --x--y--|   x: [0x68, 0x69, 0x0a], y: [0xc3, 0xa9]
 * ```
 *
 * @returns An operator from strings to `Uint8Array` chunks.
 * @see `lines`, for the other direction.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { utf8Encode } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * of('hello\n', 'world\n').pipe(utf8Encode()).subscribe(transport.sink);
 * ```
 * @group Operators: framing
 */
export function utf8Encode(): OperatorFunction<string, Uint8Array> {
  const encoder = new TextEncoder();
  return map((text: string) => {
    if (typeof text !== 'string') throw invalidArgType('value', 'of type string', text);
    return encoder.encode(text);
  });
}
