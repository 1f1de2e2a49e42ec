import { invalidArgType, invalidArgValue } from '../core/argErrors.js';
import { UnsupportedError } from '../core/errors.js';
import { BrowserWebSocketHandle } from './BrowserWebSocketHandle.js';
import { WebSocketHandshakeError } from './errors.js';
import { openWebSocketTransport } from './openWebSocketTransport.js';
import {
  checkClientOptions,
  checkWebSocketUrl,
  type CheckedClientOptions,
  type WebSocketClientOptions,
} from './options.js';
import {
  globalWebSocket,
  type PlatformCloseEvent,
  type PlatformWebSocket,
  type WebSocketConstructor,
} from './platformWebSocket.js';
import type { WebSocketTransport } from './webSocketTypes.js';

/**
 * Options of `rxtransport/websocket`'s `connectWebSocket` and `fromWebSocket`.
 * @group WebSocket
 */
export interface WebSocketOptions extends WebSocketClientOptions {
  /**
   * The `WebSocket` constructor to use: by default the environment's own (`globalThis.WebSocket`:
   * browsers, workers, Deno, Bun, Node 22 and later). On Node 20 give one, e.g. the `ws`
   * package's `WebSocket` (or use `rxtransport/ws`, which pauses the socket for real).
   */
  readonly WebSocket?: WebSocketConstructor;
}

/** Checked options of the platform-free client. @internal */
export interface CheckedWebSocketOptions extends CheckedClientOptions {
  readonly WebSocket: WebSocketConstructor;
}

/** Checks the URL and options; throws typed errors. @internal */
export function checkWebSocketOptions(
  url: unknown,
  options: unknown,
): [string, CheckedWebSocketOptions] {
  const href = checkWebSocketUrl(url);
  const checked = checkClientOptions(options);
  const given = (options as { WebSocket?: unknown } | undefined)?.WebSocket;
  if (given !== undefined && typeof given !== 'function') {
    throw invalidArgType('options.WebSocket', 'a WebSocket constructor', given);
  }
  const WebSocket = (given as WebSocketConstructor | undefined) ?? globalWebSocket();
  if (WebSocket === undefined) {
    throw new UnsupportedError(
      'This environment has no WebSocket: pass one as the WebSocket option, or use rxtransport/ws',
    );
  }
  return [href, { ...checked, WebSocket }];
}

/**
 * Opens a WebSocket and resolves to its transport once it is open and `connectionMade` has run;
 * rejects with {@link WebSocketHandshakeError} when it cannot be opened (browsers say no more
 * than that), and at once with a `TypeError` or `RangeError` (with a `code`) for a bad URL or
 * bad options. Each `write()` sends one binary message; `data$` emits one array per message.
 *
 * @example
 * ```ts
 * import { connectWebSocket } from 'rxtransport/websocket';
 * const ws = await connectWebSocket('wss://example.com/feed');
 * ws.messages$.subscribe((message) => console.log(message));
 * ws.sendText('hello');
 * ```
 * @group WebSocket
 */
export function connectWebSocket(
  url: string | URL,
  options?: WebSocketOptions,
): Promise<WebSocketTransport> {
  let checked: [string, CheckedWebSocketOptions];
  try {
    checked = checkWebSocketOptions(url, options);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return openBrowserWebSocket(...checked);
}

function openBrowserWebSocket(
  href: string,
  options: CheckedWebSocketOptions,
): Promise<WebSocketTransport> {
  return new Promise((resolve, reject) => {
    let socket: PlatformWebSocket;
    try {
      socket = new options.WebSocket(href, options.protocols);
    } catch (error) {
      // Checked already; a platform may still refuse (a browser's own URL rules).
      reject(invalidArgValue('url', `was refused by the platform: ${String(error)}`));
      return;
    }
    socket.binaryType = 'arraybuffer';
    const onOpen = (): void => {
      socket.removeEventListener('close', onClose);
      // The handle listens from this event on, so that no message after `open` is missed.
      const handle = new BrowserWebSocketHandle(socket, options);
      openWebSocketTransport(handle, options).then(resolve, reject);
    };
    const onClose = (event: PlatformCloseEvent): void => {
      socket.removeEventListener('open', onOpen);
      reject(
        new WebSocketHandshakeError(`The WebSocket to ${href} could not be opened`, {
          cause: { code: event.code, reason: event.reason },
        }),
      );
    };
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onClose);
    // A close event always follows an error; the `ws` package's class throws an error nobody
    // listens to, so one listener stays for the socket's life.
    socket.addEventListener('error', ignoreError);
  });
}

function ignoreError(): void {
  // What matters comes with the close event.
}
