import type { Observable } from 'rxjs';
import { coldTransport } from '../core/coldOpen.js';
import {
  checkWebSocketOptions,
  connectWebSocket,
  type WebSocketOptions,
} from './connectWebSocket.js';
import type { WebSocketTransport } from './webSocketTypes.js';

/**
 * The cold form of {@link connectWebSocket}: opens on subscribe and emits the transport once;
 * completes after a clean close (codes 1000 and 1001), errors after any other ending, and
 * closes with code 1000 on unsubscribe. So `retry` reconnects, each time with a new transport;
 * nothing written is carried over to the next connection. The URL and options are checked at
 * once (a bad one throws here, not on each retry).
 *
 * @example
 * ```ts
 * import { fromWebSocket } from 'rxtransport/websocket';
 * import { retry, switchMap } from 'rxjs';
 * const feed$ = fromWebSocket('wss://example.com/feed').pipe(
 *   switchMap((ws) => ws.messages$),
 *   retry({ delay: 1000, resetOnSuccess: true }),
 * );
 * ```
 * @group WebSocket
 */
export function fromWebSocket(
  url: string | URL,
  options?: WebSocketOptions,
): Observable<WebSocketTransport> {
  checkWebSocketOptions(url, options);
  return coldTransport(() => connectWebSocket(url, options));
}
