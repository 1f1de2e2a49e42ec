import type { Readable, Writable } from 'node:stream';
import { osError, toTransportError, type TransportOSError } from '../core/osErrors.js';

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
 * Watches a stream a handle drives for its loss: an 'error' (as a transport error; none is
 * ever left unhandled), or a close before it finished on its own, which is a `destroy()` by
 * its owner without an error. `finished` tells a natural close (EOF read, everything written
 * and ended) from that.
 * @internal
 */
export function watchLoss(
  stream: Readable | Writable,
  what: string,
  finished: () => boolean,
  lose: (error: Error) => void,
): void {
  stream.on('error', (error) => {
    lose(toTransportError(error));
  });
  stream.on('close', () => {
    if (!finished()) lose(streamDestroyedError(what));
  });
}

/**
 * What a failed write's callback says, as the loss: Node's `ERR_STREAM_DESTROYED` (a write to a
 * stream destroyed from outside, which fails there only, with no 'error') typed as
 * {@link streamDestroyedError}; any other error as a transport error.
 * @internal
 */
export function writeFailure(what: string, error: Error): Error {
  return (error as { code?: unknown }).code === CODE
    ? streamDestroyedError(what, error)
    : toTransportError(error);
}
