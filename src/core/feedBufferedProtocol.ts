import { viewBytes } from './bytes.js';
import { TransportError } from './errors.js';
import type { BufferedProtocol } from './protocols.js';

/** A protocol callback that failed, with asyncio's fatal-error message for it. */
export interface ProtocolFailure {
  readonly message: string;
  readonly error: unknown;
}

/**
 * Asks a `BufferedProtocol` for the buffer of the next read: a non-empty byte view, or a
 * failure for the transport's fatal path (an empty buffer is an error, as in asyncio [R7]).
 * @internal
 */
function askForBuffer<T>(
  protocol: BufferedProtocol<T>,
  sizeHint: number,
): Uint8Array | ProtocolFailure {
  try {
    const target = viewBytes(protocol.getBuffer(sizeHint), 'getBuffer() result');
    if (target.byteLength === 0) {
      throw new TransportError('ERR_EMPTY_BUFFER', 'getBuffer() returned an empty buffer');
    }
    return target;
  } catch (error) {
    return { message: 'Fatal error: protocol.getBuffer() call failed.', error };
  }
}

/**
 * Delivers `chunk` from `offset` to a `BufferedProtocol`: asks for a buffer, copies what fits,
 * reports how much, and repeats until the chunk is delivered or `receiving()` turns false (the
 * protocol paused reading or closed the transport from one of its callbacks). An empty buffer
 * is an error, as in asyncio [R7]. Returns how far the chunk was delivered, or the first
 * failure, for the transport's fatal path.
 * @internal
 */
export function feedBufferedProtocol<T>(
  protocol: BufferedProtocol<T>,
  chunk: Uint8Array,
  receiving: () => boolean,
): number | ProtocolFailure {
  let offset = 0;
  while (offset < chunk.byteLength && receiving()) {
    const target = askForBuffer(protocol, chunk.byteLength - offset);
    if (!(target instanceof Uint8Array)) return target;
    const n = Math.min(target.byteLength, chunk.byteLength - offset);
    target.set(chunk.subarray(offset, offset + n));
    offset += n;
    try {
      protocol.bufferUpdated(n);
    } catch (error) {
      return { message: 'Fatal error: protocol.bufferUpdated() call failed.', error };
    }
  }
  return offset;
}
