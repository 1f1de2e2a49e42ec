import type { Observable } from 'rxjs';
import { coldTransport } from '../core/coldOpen.js';
import type { SocketTransport } from '../core/transports.js';
import { createConnection, type ConnectionOptions } from './createConnection.js';

/**
 * The cold form of {@link createConnection}, for Angular-style use: connects on subscribe,
 * emits the transport, completes when it closes (errors when it is lost with an error), and
 * closes it on unsubscribe.
 *
 * @example
 * ```ts
 * import { fromConnection } from 'rxtransport';
 * import { retry, switchMap } from 'rxjs';
 * const lines$ = fromConnection({ host: 'localhost', port: 7000 }).pipe(
 *   switchMap((transport) => transport.data$),
 *   retry({ count: 3, delay: 1000 }),
 * );
 * ```
 * @group Factories
 */
export function fromConnection(options: ConnectionOptions): Observable<SocketTransport> {
  return coldTransport(() => createConnection(options));
}
