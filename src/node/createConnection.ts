import { Socket } from 'node:net';
import { SharedBufferReader } from './SharedBufferReader.js';
import type { SocketTransport } from '../core/transports.js';
import {
  optionalBoolean,
  optionalFunction,
  requireConnectPort,
  requireInteger,
  requireObject,
  requireHost,
} from '../core/validate.js';
import { requireKnownZone, requireLocalIp } from './checkAddress.js';
import { tcpExtraInfo } from './extraInfo.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { connectHandle, openStreamTransport } from './openStreamTransport.js';
import { connectTlsHandle } from './tls/tlsHandshake.js';
import { clientTls, type ClientTlsOptions } from './tls/tlsOptions.js';
import { connect as tlsConnect } from 'node:tls';

const halfOpen = { allowHalfOpen: true } as object;

/**
 * Options of {@link createConnection}.
 * @group Factories
 */
export interface ConnectionOptions extends ClientTlsOptions {
  /** Host name or IP address to connect to. */
  readonly host: string;
  /** Port to connect to, 1 to 65535. */
  readonly port: number;
  /** Protocol factory; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
  /** Local address to bind before connecting: an IP address (Node binds no host names). */
  readonly localAddr?: { readonly host: string; readonly port?: number };
  /**
   * Sets TCP_NODELAY, as asyncio does on every TCP transport; `false` turns it off
   * ([asyncio difference 12](../../docs/asyncio-differences.md#lifecycle-and-information)).
   * @defaultValue true
   */
  readonly noDelay?: boolean;
}

/**
 * Opens a TCP connection (asyncio `loop.create_connection`). Resolves once the protocol's
 * `connectionMade` has run. With `ssl` the connection is TLS, and `connectionMade` comes after
 * the handshake.
 *
 * @example
 * ```ts
 * import { createConnection } from 'rxtransport';
 * const transport = await createConnection({ host: '127.0.0.1', port: 8080 });
 * transport.data$.subscribe((chunk) => console.log(chunk.byteLength));
 * transport.write(new TextEncoder().encode('hello'));
 * ```
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / RangeError `ERR_OUT_OF_RANGE` for bad options.
 * @throws {@link ConnectionRefusedError} and other `TransportOSError`s from the OS.
 * @throws {@link SSLCertVerificationError} when the server's certificate is refused,
 * {@link SSLError} when the handshake fails, {@link ConnectionAbortedError} when it takes longer
 * than `sslHandshakeTimeout`.
 * @group Factories
 */
export async function createConnection(options: ConnectionOptions): Promise<SocketTransport> {
  const opts = requireObject('options', options);
  const host = requireKnownZone('options.host', requireHost('options.host', opts['host']));
  const port = requireConnectPort('options.port', opts['port']);
  const protocol = optionalFunction<StreamProtocolFactory>('options.protocol', opts['protocol']);
  const noDelay = optionalBoolean('options.noDelay', opts['noDelay']) ?? true;
  let localAddress: string | undefined;
  let localPort: number | undefined;
  if (opts['localAddr'] !== undefined) {
    const local = requireObject('options.localAddr', opts['localAddr']);
    localAddress = requireLocalIp('options.localAddr.host', local['host']);
    if (local['port'] !== undefined)
      localPort = requireInteger('options.localAddr.port', local['port'], 0, 65535);
  }
  const tls = clientTls(opts, host);
  const local = {
    ...(localAddress === undefined ? {} : { localAddress }),
    ...(localPort === undefined ? {} : { localPort }),
  };
  if (tls !== null) {
    // allowHalfOpen reaches the TLSSocket, though Node's typings omit it there.
    const secure = tlsConnect({ ...tls.options, host, port, ...local, ...halfOpen });
    secure.setNoDelay(noDelay);
    return openStreamTransport(await connectTlsHandle(secure, tls, tcpExtraInfo), protocol);
  }
  // Client sockets read through `onread`: a BufferedProtocol receives into its own buffer.
  const reader = new SharedBufferReader();
  const connectOptions = {
    onread: reader.option,
    host,
    port,
    allowHalfOpen: true,
    noDelay,
    ...local,
  };
  // What net.connect() does, in two steps: connect() can throw synchronously (from Node 22 on,
  // for a host Node itself refuses), and by then the socket already holds a TCP handle that
  // only destroy() releases.
  const socket = new Socket(connectOptions);
  try {
    socket.connect(connectOptions);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const handle = await connectHandle(socket, tcpExtraInfo, reader);
  return openStreamTransport(handle, protocol);
}
