import { map, type Observable } from 'rxjs';
import { concatBytes, viewList, type BytesLike } from '../core/bytes.js';
import { invalidArgType } from '../core/argErrors.js';
import { WriteAfterEofError } from '../core/errors.js';
import { StreamTransport, type StreamTransportOptions } from '../core/StreamTransport.js';
import { checkCloseReason } from './closeCodes.js';
import { textMessage, textOf } from './textMessages.js';
import type { WebSocketHandle } from './WebSocketHandle.js';
import type { WebSocketTransport } from './webSocketTypes.js';

/**
 * The stream transport over a {@link WebSocketHandle}: the same lifecycle, flow control and
 * Rx surfaces, in messages. The peer's Close ends the connection whatever `eofReceived`
 * returns: a WebSocket answers a Close with its own, so nothing can be written after it.
 * @internal
 */
export class WebSocketStreamTransport extends StreamTransport implements WebSocketTransport {
  readonly messages$: Observable<Uint8Array | string>;

  constructor(
    private readonly socket: WebSocketHandle,
    options: Omit<StreamTransportOptions, 'pipe' | 'closeOnEof'> = {},
  ) {
    super(socket, { ...options, closeOnEof: true });
    this.messages$ = this.data$.pipe(map((bytes) => textOf(bytes) ?? bytes));
  }

  sendText(text: string): void {
    if (typeof text !== 'string') throw invalidArgType('text', 'of type string', text);
    this.enqueue(textMessage(text), true);
  }

  /** One message of the joined bytes (asyncio's `writelines` is one write). */
  override writelines(list: Iterable<BytesLike>): void {
    const views = viewList(list);
    if (this.eofWasSent()) throw new WriteAfterEofError();
    const joined = concatBytes(views);
    if (joined.byteLength === 0) return;
    if (views.length === 1) this.write(joined);
    else this.enqueue(joined, true);
  }

  override close(code?: number, reason?: string): void {
    if (this.isClosing()) return;
    if (code !== undefined || reason !== undefined) {
      const [checkedCode, checkedReason] = checkCloseReason(code, reason);
      this.socket.setCloseReason(checkedCode, checkedReason);
    }
    super.close();
  }
}
