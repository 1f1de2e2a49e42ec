import { TransportClosedError } from '../core/errors.js';
import type { StreamHandleEvents } from '../core/handle.js';
import { closeOutcome } from './closeCodes.js';
import { ReadOverflowError } from './errors.js';
import {
  messageBytes,
  OPEN,
  type PlatformCloseEvent,
  type PlatformMessageEvent,
  type PlatformWebSocket,
} from './platformWebSocket.js';
import { textMessage, textOf } from './textMessages.js';
import type { WebSocketHandle } from './WebSocketHandle.js';

/** What arrived, in order: a message, or the end of the connection (null for a clean one). */
type Arrival = Uint8Array | { readonly end: Error | null };

/** Settings of a {@link BrowserWebSocketHandle}. @internal */
export interface BrowserHandleSettings {
  readonly maxPausedBytes: number;
  readonly pollInterval: number;
}

/**
 * A {@link WebSocketHandle} over the WHATWG `WebSocket` (an open one).
 *
 * - Reading cannot stop the network: while paused, messages are held here, counted, and past
 *   `maxPausedBytes` the transport ends with `ReadOverflowError`.
 * - What the platform has not sent yet is its `bufferedAmount`, polled (there is no event for it) only while it is
 *   above 0, on a timer: `requestAnimationFrame` would stop in a hidden tab.
 * - No half-close: a WebSocket's Close frame ends both directions.
 * @internal
 */
export class BrowserWebSocketHandle implements WebSocketHandle {
  readonly messages = true;
  readonly canShutdown = false;
  readonly extraInfo: Readonly<Record<string, unknown>>;
  private events: StreamHandleEvents | null = null;
  private reading = false;
  private released = false;
  /** The socket closed: `bufferedAmount` no longer falls, and nothing more arrives. */
  private ended = false;
  private readonly held: Arrival[] = [];
  private heldBytes = 0;
  private deliveryScheduled = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private closeCode = 1000;
  private closeReason = '';

  constructor(
    private readonly socket: PlatformWebSocket,
    private readonly settings: BrowserHandleSettings,
  ) {
    this.extraInfo = {
      url: socket.url,
      protocol: socket.protocol,
      extensions: socket.extensions,
      websocket: socket,
      readBackpressure: 'none',
    };
    socket.addEventListener('message', this.onMessage);
    socket.addEventListener('close', this.onClose);
  }

  bind(events: StreamHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.scheduleDelivery();
  }

  readStop(): void {
    this.reading = false;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.released) return true;
    if (this.ended || this.socket.readyState !== OPEN) {
      this.events?.onError(
        new TransportClosedError('The WebSocket closed before these messages were sent'),
      );
      return true;
    }
    for (const chunk of chunks) this.socket.send(textOf(chunk) ?? chunk);
    this.pollSoon();
    return true;
  }

  platformBuffered(): number {
    return this.released || this.ended ? 0 : this.socket.bufferedAmount;
  }

  shutdown(): void {
    // canShutdown is false: the transport never calls this.
  }

  setCloseReason(code: number, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
  }

  closeGracefully(): void {
    if (!this.release()) return;
    if (!this.ended) this.socket.close(this.closeCode, this.closeReason);
  }

  /** Scripts cannot drop a connection: a Close without a code (the peer sees 1005). */
  close(): void {
    if (!this.release()) return;
    if (!this.ended) this.socket.close();
  }

  private release(): boolean {
    if (this.released) return false;
    this.released = true;
    this.held.length = 0;
    clearTimeout(this.pollTimer);
    this.socket.removeEventListener('message', this.onMessage);
    this.socket.removeEventListener('close', this.onClose);
    return true;
  }

  private readonly onMessage = (event: PlatformMessageEvent): void => {
    const data = event.data;
    const bytes = typeof data === 'string' ? textMessage(data) : messageBytes(data);
    if (bytes === undefined) return;
    this.arrive(bytes);
  };

  private readonly onClose = (event: PlatformCloseEvent): void => {
    const unsent = this.socket.bufferedAmount;
    this.ended = true;
    clearTimeout(this.pollTimer);
    const outcome = closeOutcome(event.code, event.reason, event.wasClean);
    // A clean close from the peer while our messages still waited: they are lost, and say so.
    const end =
      outcome === null && unsent > 0
        ? new TransportClosedError(`The WebSocket closed with ${unsent} bytes not sent`)
        : outcome;
    this.arrive({ end });
  };

  private arrive(arrival: Arrival): void {
    if (this.released) return;
    if (this.reading && this.held.length === 0) {
      this.deliver(arrival);
      return;
    }
    this.held.push(arrival);
    if (!(arrival instanceof Uint8Array)) return;
    this.heldBytes += arrival.byteLength;
    if (this.heldBytes > this.settings.maxPausedBytes) {
      this.held.length = 0;
      this.events?.onError(new ReadOverflowError(this.heldBytes, this.settings.maxPausedBytes));
    }
  }

  /** Held arrivals go out in a later microtask: never from inside the transport's readStart. */
  private scheduleDelivery(): void {
    if (this.deliveryScheduled || this.held.length === 0) return;
    this.deliveryScheduled = true;
    queueMicrotask(() => {
      this.deliveryScheduled = false;
      while (this.reading && !this.released && this.held.length > 0) {
        const next = this.held.shift() as Arrival;
        if (next instanceof Uint8Array) this.heldBytes -= next.byteLength;
        this.deliver(next);
      }
    });
  }

  private deliver(arrival: Arrival): void {
    const events = this.events;
    if (events === null) return;
    if (arrival instanceof Uint8Array) events.onData(arrival);
    else if (arrival.end === null) events.onEof();
    else events.onError(arrival.end);
  }

  private pollSoon(): void {
    if (this.pollTimer !== undefined || this.socket.bufferedAmount === 0) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (this.released || this.ended) return;
      this.events?.onWriteProgress?.();
      this.pollSoon();
    }, this.settings.pollInterval);
  }
}
