import { lstatSync, unlinkSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { invalidArgValue } from '../core/argErrors.js';
import { ListeningServer } from '../core/Server.js';
import type { Server } from '../core/transports.js';
import { optionalFunction, requireObject, requireString } from '../core/validate.js';
import { unixExtraInfo } from './extraInfo.js';
import { NetListener, whenListening } from './NetListener.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { TlsAcceptor } from './tls/tlsHandshake.js';
import { serverTls, type ServerTlsOptions } from './tls/tlsOptions.js';

/**
 * Options of {@link createUnixServer}.
 * @group Factories
 */
export interface UnixServerOptions extends ServerTlsOptions {
  /** Filesystem path to bind. A stale socket file there is removed first, as asyncio does. */
  readonly path: string;
  /** Protocol factory, called per connection; without one each connection feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
}

/** Removes a socket file left by an earlier server; anything else at the path is left alone. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there (or not ours to remove): listen() reports what matters.
  }
}

/**
 * Listens on a Unix socket path (asyncio `loop.create_unix_server`). The socket file is removed
 * when the server closes (asyncio 3.13 `cleanup_socket`). With `ssl` it serves TLS, as
 * {@link createServer} does.
 * @throws {@link TransportOSError} (`EADDRINUSE`, `EACCES`, ...) from the OS.
 * @group Factories
 */
export async function createUnixServer(options: UnixServerOptions): Promise<Server> {
  const opts = requireObject('options', options);
  const path = requireString('options.path', opts['path']);
  if (path === '') throw invalidArgValue('options.path', 'must not be empty');
  const protocolFactory = optionalFunction<StreamProtocolFactory>(
    'options.protocol',
    opts['protocol'],
  );
  const tls = serverTls(opts);
  removeStaleSocket(path);
  const server = createNetServer({ allowHalfOpen: true, pauseOnConnect: true });
  await whenListening(server, () => {
    server.listen({ path });
  });
  const infoOf = (socket: Socket): Record<string, unknown> => unixExtraInfo(socket, '', path);
  const acceptor = tls === null ? null : new TlsAcceptor(tls, infoOf);
  const listener = new NetListener(
    server,
    { path },
    infoOf,
    () => {
      acceptor?.close();
      removeStaleSocket(path);
    },
    acceptor === null
      ? undefined
      : (socket, deliver) => {
          acceptor.accept(socket, deliver);
        },
  );
  return new ListeningServer([listener], { protocolFactory });
}
