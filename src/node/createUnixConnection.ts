import { connect } from 'node:net';
import { SharedBufferReader } from './SharedBufferReader.js';
import type { SocketTransport } from '../core/transports.js';
import { optionalFunction, requireObject } from '../core/validate.js';
import { requireUnixPath } from './checkAddress.js';
import { unixExtraInfo } from './extraInfo.js';
import type { StreamProtocolFactory } from '../core/protocolFactories.js';
import { connectHandle, openStreamTransport } from './openStreamTransport.js';

/**
 * Options of {@link createUnixConnection}.
 * @group Factories
 */
export interface UnixConnectionOptions {
  /** Path of the Unix socket to connect to. */
  readonly path: string;
  /** Protocol factory; without one the transport feeds its Rx surfaces. */
  readonly protocol?: StreamProtocolFactory;
}

/**
 * Opens a Unix stream socket connection (asyncio `loop.create_unix_connection`). Resolves once
 * the protocol's `connectionMade` has run. `'peername'` is the path, `'sockname'` `''`.
 *
 * @throws {@link TransportOSError} (`ENOENT`, `ECONNREFUSED`, ...) from the OS.
 * @group Factories
 */
export async function createUnixConnection(
  options: UnixConnectionOptions,
): Promise<SocketTransport> {
  const opts = requireObject('options', options);
  const path = requireUnixPath('options.path', opts['path']);
  const protocol = optionalFunction<StreamProtocolFactory>('options.protocol', opts['protocol']);
  const reader = new SharedBufferReader();
  const socket = connect({ path, allowHalfOpen: true, onread: reader.option });
  const handle = await connectHandle(socket, (s) => unixExtraInfo(s, path, ''), reader);
  return openStreamTransport(handle, protocol);
}
