import { connect } from 'node:net';
import { SharedBufferReader } from './SharedBufferReader.js';
import type { SocketTransport } from '../core/transports.js';
import { optionalFunction, requireObject } from '../core/validate.js';
import { requireUnixPath } from './checkAddress.js';
import { unixExtraInfo } from './extraInfo.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { connectHandle, openStreamTransport } from './openStreamTransport.js';
import { connect as tlsConnect } from 'node:tls';
import { connectTlsHandle } from './tls/tlsHandshake.js';
import { clientTls, type ClientTlsOptions } from './tls/tlsOptions.js';

/** allowHalfOpen reaches the TLSSocket, though Node's typings omit it there. */
const halfOpen = { allowHalfOpen: true } as object;

/**
 * Options of {@link createUnixConnection}.
 * @group Factories
 */
export interface UnixConnectionOptions extends ClientTlsOptions {
  /** Path of the Unix socket to connect to. */
  readonly path: string;
  /** Protocol factory; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
}

/**
 * Opens a Unix stream socket connection (asyncio `loop.create_unix_connection`). Resolves once
 * the protocol's `connectionMade` has run. `'peername'` is the path, `'sockname'` `''`. With
 * `ssl` the connection is TLS and `serverHostname` is required, as in asyncio.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for `ssl` without `serverHostname`, and bad options.
 * @throws {@link TransportOSError} (`ENOENT`, `ECONNREFUSED`, ...) from the OS.
 * @throws {@link SSLCertVerificationError}, {@link SSLError}, {@link ConnectionAbortedError}
 * as {@link createConnection}.
 * @group Factories
 */
export async function createUnixConnection(
  options: UnixConnectionOptions,
): Promise<SocketTransport> {
  const opts = requireObject('options', options);
  const path = requireUnixPath('options.path', opts['path']);
  const protocol = optionalFunction<StreamProtocolFactory>('options.protocol', opts['protocol']);
  // No host to default to: asyncio requires server_hostname here [T2].
  const tls = clientTls(opts, undefined);
  if (tls !== null) {
    const secure = tlsConnect({ ...tls.options, path, ...halfOpen });
    const handle = await connectTlsHandle(secure, tls, (s) => unixExtraInfo(s, path, ''));
    return openStreamTransport(handle, protocol);
  }
  const reader = new SharedBufferReader();
  const socket = connect({ path, allowHalfOpen: true, onread: reader.option });
  const handle = await connectHandle(socket, (s) => unixExtraInfo(s, path, ''), reader);
  return openStreamTransport(handle, protocol);
}
