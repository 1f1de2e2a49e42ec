import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { UnsupportedError } from '../core/errors.js';
import { ListeningServer } from '../core/Server.js';
import type { Server } from '../core/transports.js';
import {
  optionalBoolean,
  optionalFunction,
  optionalInteger,
  optionalHost,
  requireListenPort,
  requireObject,
} from '../core/validate.js';
import { tcpExtraInfo } from './extraInfo.js';
import { inetAddress } from './netAddress.js';
import { DEFAULT_BACKLOG, NetListener, whenListening } from './NetListener.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { TlsAcceptor } from './tls/tlsHandshake.js';
import { serverTls, type ServerTlsOptions } from './tls/tlsOptions.js';

/**
 * Options of {@link createServer}.
 * @group Factories
 */
export interface ServerOptions extends ServerTlsOptions {
  /** Address to bind; all interfaces when not given. */
  readonly host?: string;
  /** Port to bind, 0 for any free one. */
  readonly port: number;
  /**
   * Maximum queue of pending connections (the kernel caps it at `net.core.somaxconn`).
   * @defaultValue 511, Node's default (asyncio's is 100)
   */
  readonly backlog?: number;
  /**
   * SO_REUSEADDR. Node always sets it on POSIX, which is asyncio's default; `false` is refused.
   * @defaultValue true
   */
  readonly reuseAddress?: boolean;
  /** Protocol factory, called per connection; without one each connection feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
}

/**
 * Listens for TCP connections (asyncio `loop.create_server`). Node binds one socket for all
 * interfaces (dual-stack) where asyncio binds one per address family. With `ssl` it serves TLS:
 * each connection is announced once its handshake is done, and a failed handshake is dropped
 * without disturbing anything else.
 *
 * @example
 * ```ts
 * import { createServer } from 'rxtransport';
 * const server = await createServer({ host: '127.0.0.1', port: 0 });
 * server.connections$.subscribe((client) => client.data$.subscribe(client.sink)); // echo
 * ```
 * @throws TypeError / RangeError for bad options (`ssl: true`, a timeout without `ssl`, ...).
 * @throws {@link TransportOSError} `EADDRINUSE` and other bind errors.
 * @group Factories
 */
export async function createServer(options: ServerOptions): Promise<Server> {
  const opts = requireObject('options', options);
  const host = optionalHost('options.host', opts['host'], true);
  const port = requireListenPort('options.port', opts['port']);
  const backlog =
    optionalInteger('options.backlog', opts['backlog'], 0, 2 ** 31 - 1) ?? DEFAULT_BACKLOG;
  const reuseAddress = optionalBoolean('options.reuseAddress', opts['reuseAddress']);
  const protocolFactory = optionalFunction<StreamProtocolFactory>(
    'options.protocol',
    opts['protocol'],
  );
  const tls = serverTls(opts);
  if (reuseAddress === false) {
    throw new UnsupportedError(
      'reuseAddress: false is not available: Node always sets SO_REUSEADDR on POSIX',
    );
  }
  const server = createNetServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
  await whenListening(server, () => {
    server.listen({ port, backlog, ...(host === undefined ? {} : { host }) });
  });
  const info = server.address() as AddressInfo;
  const bound = inetAddress(info.address, info.port, info.family) ?? {
    host: info.address,
    port: info.port,
  };
  const acceptor = tls === null ? null : new TlsAcceptor(tls, tcpExtraInfo);
  const listener = acceptor
    ? new NetListener(
        server,
        bound,
        tcpExtraInfo,
        (close) => {
          close();
          // Handshakes still in progress end with the server.
          acceptor.close();
        },
        (socket, deliver) => {
          acceptor.accept(socket, deliver);
        },
      )
    : new NetListener(server, bound, tcpExtraInfo);
  return new ListeningServer([listener], { protocolFactory });
}
