/**
 * rxtransport/websocket: WebSocket transports with the surface of every other transport, on
 * the platform's own `WebSocket` (browsers, workers, Deno, Bun, Node 22+). Platform-free: it
 * imports nothing from Node, so a browser bundle never reaches `node:` modules.
 * @packageDocumentation
 * @module rxtransport/websocket
 */
export { connectWebSocket, type WebSocketOptions } from './connectWebSocket.js';
export { fromWebSocket } from './fromWebSocket.js';
export type { WebSocketClientOptions } from './options.js';
export type { WebSocketTransport } from './webSocketTypes.js';
export type {
  PlatformCloseEvent,
  PlatformListener,
  PlatformMessageEvent,
  PlatformWebSocket,
  WebSocketConstructor,
} from './platformWebSocket.js';
export { ReadOverflowError, WebSocketCloseError, WebSocketHandshakeError } from './errors.js';
export {
  TransportClosedError,
  TransportError,
  UnsupportedError,
  WriteAfterEofError,
} from '../core/errors.js';
export type {
  BaseProtocol,
  BufferedProtocol,
  Protocol,
  StreamProtocol,
} from '../core/protocols.js';
export type { BytesLike } from '../core/bytes.js';
export type { SocketTransport } from '../core/transports.js';
export type { StreamProtocolFactory } from '../core/protocolFactories.js';
export {
  setExceptionHandler,
  type ExceptionContext,
  type ExceptionHandler,
} from '../core/exceptionHandler.js';
