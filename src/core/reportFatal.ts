import { SSLError } from './errors.js';
import { reportException } from './exceptionHandler.js';
import { TransportOSError, toTransportError } from './osErrors.js';

/**
 * asyncio's `_fatal_error` report: an error that is not an OS error is a bug worth reporting
 * [E1]; OS errors (a reset, a refused port) and TLS errors [T18] are ordinary endings.
 * Returns the error to close the transport with.
 * @internal
 */
export function reportFatal(
  error: unknown,
  message: string,
  context: { readonly transport: unknown; readonly protocol: unknown },
): Error {
  const exc = toTransportError(error);
  // The peer's doing, not a bug: OS errors, TLS failures, a WebSocket closed with an error code.
  const peers = exc instanceof TransportOSError || exc instanceof SSLError || isPeerClose(exc);
  if (!peers) {
    reportException({ message, exception: exc, ...context });
  }
  return exc;
}

/** A WebSocket closed by the peer with an error code (the class lives with the WebSocket code). */
function isPeerClose(exc: Error): boolean {
  return (exc as { code?: unknown }).code === 'ERR_WEBSOCKET_CLOSED';
}
