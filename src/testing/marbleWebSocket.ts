import { concat, map, Subject, throwError, type Observable } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import type { StreamProtocol } from '../core/protocols.js';
import type { SocketTransport } from '../core/transports.js';
import { closeOutcome } from '../websocket/closeCodes.js';
import { WebSocketCloseError } from '../websocket/errors.js';
import { textMessage, textOf } from '../websocket/textMessages.js';
import type { WebSocketTransport } from '../websocket/webSocketTypes.js';
import { WebSocketStreamTransport } from '../websocket/WebSocketStreamTransport.js';
import { marbleCallSoon } from './marbleScheduling.js';
import { MarbleStreamHandle } from './MarbleStreamHandle.js';
import { MarbleWebSocketHandle } from './MarbleWebSocketHandle.js';

/**
 * Options of {@link marbleWebSocket}.
 * @group Testing
 */
export interface MarbleWebSocketOptions {
  /**
   * The peer's messages as a marble: each letter one message, `|` the peer's Close (with
   * `closeCode`), `#` the connection failing with `error`.
   */
  readonly incoming: string;
  /** Each letter's message: a string is a text message, a `Uint8Array` a binary one. A letter
   * without a value is the text message of the letter itself. */
  readonly values?: Readonly<Record<string, string | Uint8Array>>;
  /** The code of the peer's Close at `|` (default 1000), and its reason. */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** What `#` fails with (default a `WebSocketCloseError` of code 1006, a dropped connection). */
  readonly error?: unknown;
  /** A protocol instead of the Rx surfaces. */
  readonly protocol?: StreamProtocol<SocketTransport>;
}

/** The Close frame the transport sent. @group Testing */
export interface SentClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * A {@link WebSocketTransport} whose peer is a marble, with what it sent.
 * @group Testing
 */
export interface MarbleWebSocket extends WebSocketTransport {
  /** Each message sent, text as a string and binary as a `Uint8Array`, on its frame. */
  readonly written$: Observable<Uint8Array | string>;
  /** The Close frame sent by a clean `close()`, then completes. */
  readonly closeSent$: Observable<SentClose>;
}

/**
 * A WebSocket transport playing `incoming` in virtual time: the same core as
 * `connectWebSocket`'s, under a handle that plays marbles, for testing a message protocol
 * inside `TestScheduler.run`.
 *
 * @example
 * ```ts
 * testScheduler.run((helpers) => {
 *   const ws = marbleWebSocket(helpers, { incoming: '-a-b-|', values: { a: 'hi', b: 'yo' } });
 *   ws.messages$.subscribe((m) => ws.sendText(String(m).toUpperCase()));
 *   helpers.expectObservable(ws.written$).toBe('-A-B-|', { A: 'HI', B: 'YO' });
 * });
 * ```
 * @group Testing
 */
export function marbleWebSocket(
  helpers: RunHelpers,
  options: MarbleWebSocketOptions,
): MarbleWebSocket {
  const reset = options.error ?? new WebSocketCloseError(1006, '', false);
  const ending = closeOutcome(options.closeCode ?? 1000, options.closeReason ?? '', true);
  const letters = helpers.cold(options.incoming, undefined, reset);
  const messages = letters.pipe(
    map((letter) => {
      const value = options.values?.[letter] ?? letter;
      return typeof value === 'string' ? textMessage(value) : value;
    }),
  );
  const incoming =
    ending === null
      ? messages
      : concat(
          messages,
          throwError(() => ending),
        );
  const inner = new MarbleStreamHandle(incoming, marbleCallSoon);
  const closes = new Subject<SentClose>();
  const handle = new MarbleWebSocketHandle(inner, closes);
  const transport = new WebSocketStreamTransport(handle, {
    protocol: options.protocol,
    callSoon: marbleCallSoon,
    flushSoon: marbleCallSoon,
  });
  const written$ = inner.written$.pipe(map((bytes) => textOf(bytes) ?? bytes));
  return Object.assign(transport, { written$, closeSent$: closes.asObservable() });
}
