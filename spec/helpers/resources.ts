/** Everything a real-I/O test opens, closed after the test. */
import { existsSync, unlinkSync } from 'node:fs';
import type * as net from 'node:net';
import type { Server, SocketTransport } from '../../src/index';
import { closedValue } from './streams';
import { turns } from './waits';

/**
 * Tracks everything a test opens and closes it after the test, waiting until the handles are
 * really gone, so that jest exits by itself (`--detectOpenHandles` stays quiet).
 */
export class Resources {
  private transports: SocketTransport[] = [];
  private servers: Server[] = [];
  private rawServers: net.Server[] = [];
  private rawSockets: net.Socket[] = [];
  private paths: string[] = [];
  private cleanups: (() => void | Promise<void>)[] = [];

  /** Tracks a transport (aborted after the test unless already closed). */
  transport<T extends SocketTransport>(transport: T): T {
    this.transports.push(transport);
    return transport;
  }

  /** Tracks a server (closed, clients aborted, after the test). */
  server(server: Server): Server {
    // Not subscribing to connections$ here: that would take the queued connections from the
    // test's own first subscriber. abortClients() and waitClosed() cover accepted connections.
    this.servers.push(server);
    return server;
  }

  /** Tracks a raw `net` server and the sockets it accepts. */
  rawServer(server: net.Server): net.Server {
    this.rawServers.push(server);
    server.on('connection', (socket: net.Socket) => this.rawSockets.push(socket));
    return server;
  }

  /** Tracks a raw socket (destroyed after the test). */
  rawSocket(socket: net.Socket): net.Socket {
    this.rawSockets.push(socket);
    return socket;
  }

  /** A file to unlink after the test if it still exists. */
  path(path: string): string {
    this.paths.push(path);
    return path;
  }

  /** Anything else to run after the test. */
  defer(cleanup: () => void | Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    const cleanups = this.cleanups.splice(0).reverse();
    for (const cleanup of cleanups) await cleanup();
    for (const server of this.servers.splice(0)) {
      server.close();
      server.abortClients();
      await server.waitClosed();
    }
    for (const transport of this.transports.splice(0)) {
      transport.abort();
      await closedValue(transport);
    }
    for (const socket of this.rawSockets.splice(0)) socket.destroy();
    await Promise.all(
      this.rawServers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) {
              resolve();
              return;
            }
            server.close(() => {
              resolve();
            });
          }),
      ),
    );
    for (const path of this.paths.splice(0)) {
      if (existsSync(path)) unlinkSync(path);
    }
    // Node releases handles in the loop's close phase, a turn or two after destroy().
    await turns(3);
  }
}

/** A `Resources` disposed after each test of the enclosing `describe`. */
export function useResources(): Resources {
  const resources = new Resources();
  afterEach(() => resources.dispose());
  return resources;
}
