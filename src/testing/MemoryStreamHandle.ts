import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import type { MemoryWire } from './MemoryWire.js';

/**
 * A {@link StreamHandle} over two {@link MemoryWire}s: one it writes to, one it reads from.
 * @internal
 */
export class MemoryStreamHandle implements StreamHandle {
  readonly canShutdown = true;
  private closed = false;

  constructor(
    private readonly outgoing: MemoryWire,
    private readonly incoming: MemoryWire,
    readonly extraInfo: Readonly<Record<string, unknown>>,
  ) {}

  bind(events: StreamHandleEvents): void {
    this.incoming.attachReader(events);
    this.outgoing.attachWriter((error) => {
      if (!this.closed) events.onError(error);
    });
  }

  readStart(): void {
    if (!this.closed) this.incoming.setReading(true);
  }

  readStop(): void {
    this.incoming.setReading(false);
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    return this.outgoing.write(chunks, done);
  }

  shutdown(): void {
    this.outgoing.shutdown();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outgoing.closeWriter();
    this.incoming.closeReader();
  }
}
