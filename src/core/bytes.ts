import { invalidArgType, invalidArgValue } from './argErrors.js';

/**
 * `instanceof ArrayBuffer` fails for buffers from another realm (a vm context, as jest uses);
 * the internal tag does not, and still tells a SharedArrayBuffer apart.
 */
function isArrayBuffer(data: unknown): data is ArrayBuffer {
  return Object.prototype.toString.call(data) === '[object ArrayBuffer]';
}

/**
 * What `write`, `sendto` and `sink.next` accept (asyncio: bytes, bytearray, memoryview).
 * @group Transports
 */
export type BytesLike = ArrayBufferView | ArrayBuffer;

/**
 * Checks that `data` is bytes and returns a private copy of them, so that a caller mutating its
 * buffer after `write()` cannot change what is still queued (asyncio 3.12+ keeps references [W3]).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for anything else, a string included [W1].
 * @internal
 */
export function copyBytes(data: unknown, name = 'data'): Uint8Array {
  const view = viewBytes(data, name);
  // set() copies from any backing store, a SharedArrayBuffer included.
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}

/**
 * Checks that `data` is bytes and returns a view of it without copying.
 * @internal
 */
export function viewBytes(data: unknown, name = 'data'): Uint8Array {
  // The common case, without touching `.buffer` (which moves a small on-heap array off the
  // heap): a view with bytes cannot be over a detached buffer, whose views all have length 0.
  if (data instanceof Uint8Array && data.byteLength > 0) return data;
  if (!ArrayBuffer.isView(data) && !isArrayBuffer(data)) {
    throw invalidArgType(name, 'an ArrayBufferView or an ArrayBuffer', data);
  }
  const buffer = ArrayBuffer.isView(data) ? data.buffer : data;
  // A detached (transferred) buffer has length 0; only then is the costlier check needed.
  if (buffer.byteLength === 0 && isDetached(buffer)) {
    throw invalidArgValue(name, 'is backed by a detached ArrayBuffer');
  }
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Whether a buffer was detached; Node 20 lacks `ArrayBuffer.prototype.detached`. */
function isDetached(buffer: ArrayBufferLike): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
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

/**
 * Checks that `list` is an iterable of bytes (`writelines`) and returns views of them.
 * @internal
 */
export function viewList(list: unknown): Uint8Array[] {
  if (list == null || typeof (list as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw invalidArgType('list', 'an iterable of ArrayBufferView or ArrayBuffer', list);
  }
  return Array.from(list as Iterable<unknown>, (item, index) => viewBytes(item, `list[${index}]`));
}
