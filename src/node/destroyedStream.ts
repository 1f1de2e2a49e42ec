import type { Readable, Writable } from 'node:stream';
import { osError, type TransportOSError } from '../core/osErrors.js';

/** Node's code for a stream used after `destroy()`, kept as the loss's code. */
const CODE = 'ERR_STREAM_DESTROYED';

/**
 * The loss of a stream that its owner destroyed under a transport (`destroy()` without an error:
 * no 'error', no 'end'), or that was destroyed before a transport got it. A `TransportOSError`,
 * as other losses of the connection are [E1], so that it is not reported as a bug in user code;
 * its code is Node's, `ERR_STREAM_DESTROYED`.
 * @internal
 */
export function streamDestroyedError(what: string, cause?: unknown): TransportOSError {
  return osError(CODE, `The ${what} was destroyed: nothing more can be read or written`, {
    cause,
  });
}

/**
 * Refuses a stream that is already destroyed (a child's stdin once the child exited, say).
 * @internal
 */
export function refuseDestroyed<T extends Readable | Writable>(stream: T, what: string): T {
  if (stream.destroyed) throw streamDestroyedError(what);
  return stream;
}

/**
 * Calls `lost` when `stream` closes before it finished on its own, that is when it was destroyed
 * without an error while the transport still holds it. `finished` tells a natural close (EOF
 * read, everything written and ended) from that.
 * @internal
 */
export function onDestroyed(
  stream: Readable | Writable,
  finished: () => boolean,
  lost: () => void,
): void {
  stream.on('close', () => {
    if (!finished()) lost();
  });
}
