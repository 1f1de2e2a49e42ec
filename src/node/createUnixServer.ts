import { lstatSync, unlinkSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { ListeningServer } from '../core/Server.js';
import type { Server } from '../core/transports.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { optionalFunction, requireObject } from '../core/validate.js';
import { isAbstractName, requireUnixPath } from './checkAddress.js';
import { unixExtraInfo } from './extraInfo.js';
import { DEFAULT_BACKLOG, NetListener, whenListening } from './NetListener.js';
import { TlsAcceptor } from './tls/tlsHandshake.js';
import { serverTls, type ServerTlsOptions } from './tls/tlsOptions.js';
import { UnixSocketFile } from './unixSocketFile.js';

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
 * when the server closes if it still is the one bound, by device and inode (asyncio 3.13
 * `cleanup_socket`): a newer server's file at the same path is left alone. The listen backlog is
 * Node's 511 (asyncio's is 100). With `ssl` it serves TLS, as {@link createServer} does.
 * @throws {@link TransportOSError} (`EADDRINUSE`, `EACCES`, ...) from the OS.
 * @group Factories
 */
export async function createUnixServer(options: UnixServerOptions): Promise<Server> {
  const opts = requireObject('options', options);
  const path = requireUnixPath('options.path', opts['path']);
  const protocolFactory = optionalFunction<StreamProtocolFactory>(
    'options.protocol',
    opts['protocol'],
  );
  const tls = serverTls(opts);
  const abstract = isAbstractName(path);
  if (!abstract) removeStaleSocket(path);
  const server = createNetServer({ allowHalfOpen: true, pauseOnConnect: true });
  await whenListening(server, () => {
    server.listen({ path, backlog: DEFAULT_BACKLOG });
  });
  const infoOf = (socket: Socket): Record<string, unknown> => unixExtraInfo(socket, '', path);
  const acceptor = tls === null ? null : new TlsAcceptor(tls, infoOf);
  // An abstract name is no file: nothing to remove, and libuv unlinks nothing for it.
  const file = abstract ? null : new UnixSocketFile(path);
  const listener = new NetListener(
    server,
    { path },
    infoOf,
    (close) => {
      if (file) file.close(close);
      else close();
      // Handshakes still in progress end with the server.
      acceptor?.close();
    },
    acceptor === null
      ? undefined
      : (socket, deliver) => {
          acceptor.accept(socket, deliver);
        },
  );
  return new ListeningServer([listener], { protocolFactory });
}
