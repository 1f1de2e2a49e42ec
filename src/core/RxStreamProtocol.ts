import type { Protocol } from './protocols.js';
import { HotQueue } from './HotQueue.js';

/** What the Rx protocol needs of its transport. @internal */
export interface RxStreamHost {
  /** Stops reading until the returned release function is called. */
  holdReading(): () => void;
  /** Whether `writeEof()` was called. */
  eofWasSent(): boolean;
}

/**
 * The built-in protocol of a transport created without one: it feeds `data$`. Chunks that
 * arrive with no subscriber are held up to `capacity` bytes, then reading pauses until a
 * subscriber takes them, so nothing is lost and memory stays bounded. On EOF it completes
 * `data$` and keeps the connection half-open until EOF has also been sent (asyncio's streams
 * keep the write side open the same way).
 * @internal
 */
export class RxStreamProtocol implements Protocol {
  private readonly queue: HotQueue<Uint8Array>;
  private release: (() => void) | null = null;

  constructor(
    private readonly host: RxStreamHost,
    capacity: number,
  ) {
    this.queue = new HotQueue<Uint8Array>({
      capacity,
      sizeOf: (chunk) => chunk.byteLength,
      onFull: () => {
        this.release ??= this.host.holdReading();
      },
      onRoom: () => {
        const release = this.release;
        this.release = null;
        release?.();
      },
    });
  }

  /** The hot data Observable. */
  get data$() {
    return this.queue.observable;
  }

  /**
   * Another protocol took over: what is held stays for `data$`, but reading must no longer wait
   * for a subscriber.
   */
  detach(): void {
    const release = this.release;
    this.release = null;
    release?.();
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
