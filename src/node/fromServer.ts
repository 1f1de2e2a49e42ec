import type { Observable } from 'rxjs';
import { coldOpen } from '../core/coldOpen.js';
import type { Server, SocketTransport } from '../core/transports.js';
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
  return coldOpen<Server, SocketTransport>(() => createServer(options), {
    use: (server, subscriber) => {
      server.connections$.subscribe(subscriber);
    },
    release: (server) => {
      server.close();
      server.closeClients();
    },
  });
}
