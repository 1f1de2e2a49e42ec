/** rxtransport TCP servers on the loopback interface, tracked by a `Resources`. */
import { firstValueFrom } from 'rxjs';
import {
  createServer,
  type Server,
  type ServerOptions,
  type SocketTransport,
} from '../../src/index';
import type { Resources } from './resources';
import { HOST, inetAddressOf } from './sockets';

/** A tracked rxtransport TCP server on 127.0.0.1, port 0. */
export async function startServer(
  resources: Resources,
  options: Omit<ServerOptions, 'port' | 'host'> = {},
): Promise<{ server: Server; port: number }> {
  const server = resources.server(await createServer({ host: HOST, port: 0, ...options }));
  return { server, port: inetAddressOf(server).port };
}

/**
 * A tracked TCP echo server using the Rx surfaces: each connection's `data$` feeds its own
 * `sink`, so EOF from the client half-closes back and the connection then closes itself.
 */
export async function startEchoServer(
  resources: Resources,
): Promise<{ server: Server; port: number; clients: SocketTransport[] }> {
  const { server, port } = await startServer(resources);
  const clients: SocketTransport[] = [];
  server.connections$.subscribe((client) => {
    clients.push(client);
    client.data$.subscribe(client.sink);
  });
  return { server, port, clients };
}

/** The first connection `server.connections$` emits from now on. */
export function nextConnection(server: Server): Promise<SocketTransport> {
  return firstValueFrom(server.connections$);
}
