import type { StreamHandle } from '../core/handle.js';

/**
 * What a WebSocket platform adapter (browser `WebSocket`, `WebSocketStream`, the `ws` package)
 * gives the core: a message-oriented {@link StreamHandle}.
 *
 * - Each received message is one `onData` call: binary as it came, text as
 *   `textMessage(text)` (UTF-8 bytes remembered as text).
 * - Each chunk given to `write()` is one message; `textOf(chunk)` tells a text message.
 * - The peer's Close with code 1000 or 1001 is `onEof()`; any other ending (another code, a
 *   dropped connection) is `onError(new WebSocketCloseError(...))`.
 * - `closeGracefully()` sends a Close frame with the code and reason given to
 *   {@link WebSocketHandle.setCloseReason} (default 1000); `close()` drops the connection (or,
 *   where the platform cannot, closes without a status code).
 * - `shutdown()` (only where `canShutdown`) sends our Close 1000 and goes on reading until the
 *   peer's Close.
 * - `extraInfo` has `'url'`, `'protocol'`, `'extensions'`, `'websocket'` and
 *   `'readBackpressure'` (`'network'` where `readStop()` stops the socket, else `'none'`).
 * @internal
 */
export interface WebSocketHandle extends StreamHandle {
  readonly messages: true;
  /** The code and reason a graceful close will send. */
  setCloseReason(code: number, reason: string): void;
}

/** `extraInfo.readBackpressure`: whether `pauseReading()` stops the network. */
export type ReadBackpressure = 'network' | 'none';
