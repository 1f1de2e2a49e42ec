import { Observable } from 'rxjs';
import type { SocketTransport } from '../core/transports.js';
import { createConnection, type ConnectionOptions } from './createConnection.js';

/**
 * Runs `open` on subscribe; emits the transport, completes when it closes cleanly and errors
 * when it is lost with an error; unsubscribing closes it (flushing what was written).
 * @internal
 */
export function coldTransport<
  T extends { close(): void; readonly closed$: Observable<Error | null> },
>(open: () => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let transport: T | null = null;
    let active = true;
    open().then(
      (opened) => {
        if (!active) {
          opened.close();
          return;
        }
        transport = opened;
        subscriber.next(opened);
        opened.closed$.subscribe((exc) => {
          if (exc) subscriber.error(exc);
          else subscriber.complete();
        });
      },
      (error: unknown) => {
        subscriber.error(error);
      },
    );
    return () => {
      active = false;
      transport?.close();
    };
  });
}

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
