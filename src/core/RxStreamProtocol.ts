import type { Protocol } from './protocols.js';
import { HotQueue } from './HotQueue.js';
import type { BuiltInProtocol, ReadingHolder } from './TransportBase.js';

/** What the Rx protocol needs of its transport. @internal */
export interface RxStreamHost extends ReadingHolder {
  /** Whether `writeEof()` was called. */
  eofWasSent(): boolean;
}

/**
 * The built-in protocol of a transport created without one: it feeds `data$`. Chunks that
 * arrive with no subscriber are held up to `capacity` bytes, then reading pauses until a
 * subscriber takes them, so nothing is lost and memory stays bounded. While the transport's
 * reading is paused, nothing reaches a subscriber, held chunks included. On EOF it completes
 * `data$` and keeps the connection half-open until EOF has also been sent (asyncio's streams
 * keep the write side open the same way).
 * @internal
 */
export class RxStreamProtocol implements Protocol, BuiltInProtocol {
  private readonly queue: HotQueue<Uint8Array>;

  constructor(
    private readonly host: RxStreamHost,
    capacity: number,
  ) {
    this.queue = new HotQueue<Uint8Array>({
      capacity,
      sizeOf: (chunk) => chunk.byteLength,
      holdProducer: () => this.host.holdReading(),
    });
  }

  /** The hot data Observable. */
  get data$() {
    return this.queue.observable;
  }

  attach(): void {
    this.queue.attachProducer();
  }

  detach(): void {
    this.queue.detachProducer();
  }

  /** The transport's reading was paused: held chunks wait too. */
  pauseDelivery(): void {
    this.queue.pause();
  }

  resumeDelivery(): void {
    this.queue.resume();
  }

  dataReceived(data: Uint8Array): void {
    this.queue.push(data);
  }

  eofReceived(): boolean {
    this.queue.complete();
    // Half-open until our own EOF goes out; then the transport can close.
    return !this.host.eofWasSent();
  }

  connectionLost(exc: Error | null): void {
    if (exc) this.queue.error(exc);
    else this.queue.complete();
  }
}
