import type { Observer } from 'rxjs';
import type { StreamHandleEvents } from '../core/handle.js';
import type { WebSocketHandle } from '../websocket/WebSocketHandle.js';
import type { MarbleStreamHandle } from './MarbleStreamHandle.js';
import type { SentClose } from './marbleWebSocket.js';

/**
 * A {@link WebSocketHandle} over a marble stream handle: its chunks are messages, its EOF the
 * peer's clean Close, and a graceful close records the Close frame sent.
 * @internal
 */
export class MarbleWebSocketHandle implements WebSocketHandle {
  readonly messages = true;
  readonly canShutdown = false;
  readonly extraInfo: Readonly<Record<string, unknown>> = {
    url: 'ws://marble/',
    protocol: '',
    extensions: '',
    readBackpressure: 'network',
  };
  private code = 1000;
  private reason = '';

  constructor(
    private readonly inner: MarbleStreamHandle,
    private readonly closes: Observer<SentClose>,
  ) {}

  bind(events: StreamHandleEvents): void {
    this.inner.bind(events);
  }

  readStart(): void {
    this.inner.readStart();
  }

  readStop(): void {
    this.inner.readStop();
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    return this.inner.write(chunks, done);
  }

  shutdown(): void {
    // canShutdown is false: never called.
  }

  setCloseReason(code: number, reason: string): void {
    this.code = code;
    this.reason = reason;
  }

  closeGracefully(): void {
    this.closes.next({ code: this.code, reason: this.reason });
    this.closes.complete();
    this.inner.close();
  }

  close(): void {
    this.closes.complete();
    this.inner.close();
  }
}
