import { invalidArgType } from './argErrors.js';

/**
 * `instanceof ArrayBuffer` fails for buffers from another realm (a vm context, as jest uses);
 * the internal tag does not, and still tells a SharedArrayBuffer apart.
 */
function isArrayBuffer(data: unknown): data is ArrayBuffer {
  return Object.prototype.toString.call(data) === '[object ArrayBuffer]';
}

/** What `write`, `sendto` and `sink.next` accept (asyncio: bytes, bytearray, memoryview). */
export type BytesLike = ArrayBufferView | ArrayBuffer;

/**
 * Checks that `data` is bytes and returns a private copy of them, so that a caller mutating its
 * buffer after `write()` cannot change what is still queued (asyncio 3.12+ keeps references [W3]).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for anything else, a string included [W1].
 * @internal
 */
export function copyBytes(data: unknown, name = 'data'): Uint8Array {
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  if (isArrayBuffer(data)) return new Uint8Array(data.slice(0));
  throw invalidArgType(name, 'an ArrayBufferView or an ArrayBuffer', data);
}

/**
 * Checks that `data` is bytes and returns a view of it without copying.
 * @internal
 */
export function viewBytes(data: unknown, name = 'data'): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (isArrayBuffer(data)) return new Uint8Array(data);
  throw invalidArgType(name, 'an ArrayBufferView or an ArrayBuffer', data);
}

/** Joins chunks into one array (one copy). @internal */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const size = total ?? chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
