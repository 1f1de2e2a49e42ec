import type { Observable } from 'rxjs';
import type { SocketTransport } from '../core/transports.js';

/**
 * A WebSocket connection with the surface of a {@link SocketTransport}, in messages: each
 * `write()` or `sink.next()` sends one binary message, `data$` emits one `Uint8Array` per
 * message received (text as its UTF-8 bytes), never split or joined. Water marks, `writable$`
 * and `drain()` count the bytes not yet on the wire, the platform's own buffer included.
 * `closed$` emits `null` after a close with code 1000 or 1001, else a `WebSocketCloseError`.
 * @group Transports
 */
export interface WebSocketTransport extends SocketTransport {
  /** Each message received, text as a string and binary as a `Uint8Array`; hot, like `data$`. */
  readonly messages$: Observable<Uint8Array | string>;
  /** Sends one text message, in order with the binary ones. */
  sendText(text: string): void;
  /**
   * Closes after everything written has gone out, sending a Close frame with `code` (1000, or
   * 3000 to 4999) and `reason` (at most 123 bytes of UTF-8). Without arguments: code 1000.
   */
  close(code?: number, reason?: string): void;
}
