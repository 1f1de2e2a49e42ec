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
  if (!(exc instanceof TransportOSError) && !(exc instanceof SSLError)) {
    reportException({ message, exception: exc, ...context });
  }
  return exc;
}
