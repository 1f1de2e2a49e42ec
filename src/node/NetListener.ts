import type { Server as NetServer, Socket } from 'node:net';
import type { Address } from '../core/address.js';
import type { StreamHandle } from '../core/handle.js';
import type { ListenerHandle } from '../core/listener.js';
import { reportException } from '../core/exceptionHandler.js';
import { toTransportError } from '../core/osErrors.js';
import { NetStreamHandle } from './NetStreamHandle.js';

/**
 * The listen backlog when none is given: Node's (asyncio's is 100 [V1, N6]). With 100, a burst
 * of a few hundred clients connecting at once overflows the accept queue and the kernel resets
 * some of them; Node's own servers take 511.
 * @internal
 */
export const DEFAULT_BACKLOG = 511;

/**
 * Drives a core `Server` from a listening `net.Server` (created with `allowHalfOpen` and
 * `pauseOnConnect`, so that accepted sockets read nothing before `connectionMade`).
 * @internal
 */
export class NetListener implements ListenerHandle {
  private closed = false;

  constructor(
    private readonly server: NetServer,
    private readonly bound: Address,
    private readonly extraInfoOf: (socket: Socket) => Readonly<Record<string, unknown>>,
    /** Closes the `net.Server` (its `close()` when not given): a Unix server guards its file. */
    private readonly closeServer: (close: () => void) => void = (close) => {
      close();
    },
    /** Turns an accepted socket into a handle, later or never (TLS waits for its handshake). */
    private readonly accept?: (socket: Socket, deliver: (handle: StreamHandle) => void) => void,
  ) {
    // After listening, 'error' means a failed accept: asyncio reports it and goes on serving
    // [E5]. It is never left unhandled. EMFILE/ENFILE never get here: libuv accepts and closes
    // such connections itself and tells Node nothing (docs/asyncio-differences.md, 15).
    server.on('error', (error) => {
      reportException({ message: 'socket.accept() failed', exception: toTransportError(error) });
    });
  }

  listen(onConnection: (handle: StreamHandle) => void): void {
    this.server.on('connection', (socket: Socket) => {
      if (this.closed) {
        socket.destroy();
        return;
      }
      if (this.accept) this.accept(socket, onConnection);
      else onConnection(new NetStreamHandle(socket, this.extraInfoOf(socket)));
    });
  }

  address(): Address {
    return this.bound;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // net.Server.close() stops accepting; its callback waits for connections we track ourselves.
    this.closeServer(() => this.server.close(() => undefined));
  }
}

/** Listens and settles once bound (or with the `TransportOSError` of a failed bind). @internal */
export function whenListening(server: NetServer, listen: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      server.close();
      reject(toTransportError(error));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    listen();
  });
}
