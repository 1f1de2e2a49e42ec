import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { InetAddress, Server } from '../../src/index.js';

/** The loopback address every workload uses. */
export const HOST = '127.0.0.1';

/** A plain `net` server on 127.0.0.1 that can be closed with its connections. */
export interface RawServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 with the server `create` makes (its connection listener given), with
 * TCP_NODELAY on accepted sockets, as asyncio and rxtransport set it, and calls `onConnection`
 * for each socket; `close()` closes the server and destroys its sockets. Serves `net` and `tls`.
 */
export async function listenRaw<S extends Socket>(
  create: (listener: (socket: S) => void) => NetServer,
  onConnection: (socket: S) => void,
  backlog = 511,
): Promise<RawServer> {
  const sockets = new Set<S>();
  const server = create((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: 0, backlog }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A raw `net` server (see {@link listenRaw}). */
export function rawServer(
  onConnection: (socket: Socket) => void,
  backlog = 511,
): Promise<RawServer> {
  return listenRaw<Socket>((listener) => createNetServer(listener), onConnection, backlog);
}

/** The port an rxtransport server listens on. */
export const portOf = (server: Server): number => (server.address() as InetAddress).port;

/** Closes an rxtransport server and aborts its clients. */
export async function closeServer(server: Server): Promise<void> {
  server.close();
  server.abortClients();
  await server.waitClosed();
}
