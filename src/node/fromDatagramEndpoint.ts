import type { Observable } from 'rxjs';
import type { DatagramTransport } from '../core/datagramTransports.js';
import { createDatagramEndpoint, type DatagramEndpointOptions } from './createDatagramEndpoint.js';
import { coldTransport } from '../core/coldOpen.js';

/**
 * The cold form of {@link createDatagramEndpoint}: opens the endpoint on subscribe, emits it,
 * completes when it closes (errors when it is lost with an error), and closes it on
 * unsubscribe, letting queued datagrams go first.
 *
 * @example
 * ```ts
 * import { fromDatagramEndpoint } from 'rxtransport';
 * import { switchMap } from 'rxjs';
 * const datagrams$ = fromDatagramEndpoint({ localAddr: { host: '127.0.0.1', port: 5353 } }).pipe(
 *   switchMap((endpoint) => endpoint.datagrams$),
 * );
 * ```
 * @group Factories
 */
export function fromDatagramEndpoint(
  options: DatagramEndpointOptions,
): Observable<DatagramTransport> {
  return coldTransport(() => createDatagramEndpoint(options));
}
