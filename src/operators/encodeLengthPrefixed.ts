import { map, type OperatorFunction } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';
import { allocFrame } from './allocFrame.js';
import { checkHeaderBytes } from './frameOptions.js';
import { writeLength } from './lengthHeader.js';
import { viewBytes } from '../core/bytes.js';
import { FrameTooLargeError } from '../core/errors.js';

/**
 * Options of {@link encodeLengthPrefixed}.
 * @group Operators: framing
 */
export interface EncodeLengthPrefixedOptions {
  /** Size of the big-endian unsigned length header: 1, 2 or 4 bytes. */
  readonly headerBytes: 1 | 2 | 4;
}

/**
 * Frames each payload with a big-endian unsigned length header of `headerBytes` bytes (the
 * header not counted), as one new `Uint8Array` per payload, header then payload, ready for a
 * transport's `sink`. Empty payloads are valid. A payload too long for the header (over 255,
 * 65535 or 4294967295 bytes) errors the output with {@link FrameTooLargeError}; a value that
 * is not bytes (any `ArrayBufferView` or `ArrayBuffer` is accepted), with a `TypeError` of code
 * `ERR_INVALID_ARG_TYPE`.
 *
 * ```
 * source: --a--b--|   a: 'hi', b: ''
 * result: --x--y--|   x: [0, 2, 104, 105], y: [0, 0]
 * ```
 * (with `encodeLengthPrefixed({ headerBytes: 2 })`; `a` and `b` are UTF-8 bytes.)
 *
 * @param options - `headerBytes`: 1, 2 or 4 (required).
 * @returns An operator from `Uint8Array` payloads to `Uint8Array` frames.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / RangeError `ERR_OUT_OF_RANGE` for bad options.
 * @see `lengthPrefixed`, for the other direction.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { encodeLengthPrefixed, utf8Encode } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * of('hello', 'world')
 *   .pipe(utf8Encode(), encodeLengthPrefixed({ headerBytes: 2 }))
 *   .subscribe(transport.sink);
 * ```
 * @group Operators: framing
 */
export function encodeLengthPrefixed(
  options: EncodeLengthPrefixedOptions,
): OperatorFunction<Uint8Array, Uint8Array> {
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'of type object', options);
  const headerBytes = checkHeaderBytes(options.headerBytes);
  const limit = 2 ** (8 * headerBytes) - 1;
  return map((value: Uint8Array) => {
    // A non-empty Uint8Array passes viewBytes's checks as it is (a detached one is empty).
    const payload =
      value instanceof Uint8Array && value.byteLength > 0 ? value : viewBytes(value, 'payload');
    const length = payload.byteLength;
    if (length > limit) {
      throw new FrameTooLargeError(
        `A payload of ${length} bytes does not fit a ${headerBytes}-byte header (at most ${limit})`,
      );
    }
    // Header and payload in one array, from a shared slab when small (see allocFrame).
    const frame = allocFrame(headerBytes + length);
    writeLength(frame, headerBytes, length);
    frame.set(payload, headerBytes);
    return frame;
  });
}
