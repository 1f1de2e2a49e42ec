import { Observable } from 'rxjs';
import type { Server } from '../core/Server.js';
import type { SocketTransport } from '../core/transports.js';
import { createServer, type ServerOptions } from './createServer.js';

/**
 * The cold form of {@link createServer}: listens on subscribe and emits each accepted
 * connection; unsubscribing closes the server and its clients.
 *
 * @example
 * ```ts
 * import { fromServer } from 'rxtransport';
 * const subscription = fromServer({ host: '127.0.0.1', port: 7000 }).subscribe((client) =>
 *   client.data$.subscribe(client.sink),
 * );
 * ```
 * @group Factories
 */
export function fromServer(options: ServerOptions): Observable<SocketTransport> {
  return new Observable<SocketTransport>((subscriber) => {
    let server: Server | null = null;
    let active = true;
    createServer(options).then(
      (created) => {
        if (!active) {
          created.close();
          return;
        }
        server = created;
        created.connections$.subscribe(subscriber);
      },
      (error: unknown) => {
        subscriber.error(error);
      },
    );
    return () => {
      active = false;
      server?.close();
      server?.closeClients();
    };
  });
}
