import type { Server as NetServer, Socket } from 'node:net';
import type { Address } from '../core/address.js';
import type { StreamHandle } from '../core/handle.js';
import type { ListenerHandle } from '../core/listener.js';
import { reportException } from '../core/exceptionHandler.js';
import { toTransportError } from '../core/osErrors.js';
import { NetStreamHandle } from './NetStreamHandle.js';

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
    private readonly onClose: () => void = () => undefined,
    /** Turns an accepted socket into a handle, later or never (TLS waits for its handshake). */
    private readonly accept?: (socket: Socket, deliver: (handle: StreamHandle) => void) => void,
  ) {
    // After listening, 'error' means a failed accept (EMFILE, ...): asyncio reports it and
    // goes on serving [E5]. It is never left unhandled.
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
    this.server.close(() => undefined);
    this.onClose();
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
