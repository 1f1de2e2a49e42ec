import { resolveWriteLimits } from '../core/FlowControl.js';
import type { StreamProtocol } from '../core/protocols.js';
import type { SocketTransport } from '../core/transports.js';
import { checkProtocol } from '../core/validate.js';
import type { CheckedClientOptions } from './options.js';
import type { WebSocketHandle } from './WebSocketHandle.js';
import { WebSocketStreamTransport } from './WebSocketStreamTransport.js';

/** What every platform's opener takes from the checked options. @internal */
export type TransportSettings = Pick<
  CheckedClientOptions,
  'protocol' | 'highWaterMark' | 'lowWaterMark'
>;

/**
 * Wraps an open WebSocket handle in a transport and resolves once `connectionMade` has run
 * (the same steps for the browser, `ws` clients and accepted `ws` sockets). A throwing protocol
 * factory, or bad water marks, drop the connection and reject with what was thrown.
 * @internal
 */
export async function openWebSocketTransport(
  handle: WebSocketHandle,
  settings: TransportSettings,
): Promise<WebSocketStreamTransport> {
  let protocol: StreamProtocol<never> | undefined;
  let limits: { high: number; low: number } | undefined;
  try {
    if (settings.highWaterMark !== undefined || settings.lowWaterMark !== undefined) {
      limits = resolveWriteLimits(settings.highWaterMark, settings.lowWaterMark);
    }
    protocol = settings.protocol === undefined ? undefined : checkProtocol(settings.protocol());
  } catch (error) {
    handle.close();
    throw error;
  }
  const transport = new WebSocketStreamTransport(handle, {
    protocol: protocol as StreamProtocol<SocketTransport> | undefined,
  });
  if (limits !== undefined) transport.setWriteBufferLimits(limits.high, limits.low);
  await transport.ready;
  return transport;
}
