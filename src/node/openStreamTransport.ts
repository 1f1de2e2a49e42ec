import { checkProtocol } from '../core/validate.js';
import type { Socket } from 'node:net';
import type { StreamProtocol } from '../core/protocols.js';
import type { StreamHandle } from '../core/handle.js';
import { StreamTransport } from '../core/StreamTransport.js';
import type { SocketTransport } from '../core/transports.js';
import { toTransportError } from '../core/osErrors.js';
import { NetStreamHandle } from './NetStreamHandle.js';
import type { SharedBufferReader } from './SharedBufferReader.js';

/**
 * Wraps an open handle in a stream transport and resolves once `connectionMade` has run.
 * A throwing protocol factory closes the handle and rejects with what it threw.
 * @internal
 */
export async function openStreamTransport(
  handle: StreamHandle,
  protocolFactory: (() => StreamProtocol<never>) | undefined,
  pipe?: 'read' | 'write',
): Promise<StreamTransport> {
  let protocol: StreamProtocol<never> | undefined;
  try {
    protocol = protocolFactory === undefined ? undefined : checkProtocol(protocolFactory());
  } catch (error) {
    handle.close();
    throw error;
  }
  const transport = new StreamTransport(handle, {
    protocol: protocol as StreamProtocol<SocketTransport> | undefined,
    pipe,
  });
  await transport.ready;
  return transport;
}

/**
 * Waits for a connecting socket, then wraps it in a handle in the same event, so that an
 * 'error' listener is attached at every moment. Rejects with a `TransportOSError`.
 * @internal
 */
export function connectHandle(
  socket: Socket,
  extraInfoOf: (socket: Socket) => Readonly<Record<string, unknown>>,
  reader?: SharedBufferReader,
): Promise<NetStreamHandle> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.off('connect', onConnect);
      socket.destroy();
      reject(toTransportError(error));
    };
    const onConnect = (): void => {
      const handle = new NetStreamHandle(socket, extraInfoOf(socket), { reader });
      socket.off('error', onError);
      resolve(handle);
    };
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}
