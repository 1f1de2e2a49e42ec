import type { CallSoon } from '../core/callSoon.js';
import type { StreamHandleEvents } from '../core/handle.js';
import { osError } from '../core/osErrors.js';

/**
 * One direction of an in-memory connection, modelled on a socket pair: the writer's bytes go
 * into a bounded "kernel" buffer and reach the reader on a later turn, only while the reader is
 * reading. When the reader pauses, the kernel buffer fills and the writer's own (transport)
 * buffer grows, so water marks behave as over a real socket.
 * @internal
 */
export class MemoryWire {
  private kernel: Uint8Array[] = [];
  private kernelBytes = 0;
  private pending: Uint8Array[] = [];
  private pendingDone: (() => void) | null = null;
  private eofRequested = false;
  private eofDelivered = false;
  private readerClosed = false;
  private writerClosed = false;
  private reading = false;
  private scheduled = false;
  private reader: StreamHandleEvents | null = null;
  private writerErrors: ((error: Error) => void) | null = null;

  constructor(
    private readonly capacity: number,
    private readonly callSoon: CallSoon,
  ) {}

  attachReader(events: StreamHandleEvents): void {
    this.reader = events;
  }

  attachWriter(onError: (error: Error) => void): void {
    this.writerErrors = onError;
  }

  setReading(reading: boolean): void {
    this.reading = reading;
    if (reading) this.schedule();
  }

  /** Returns true when every byte fit in the kernel buffer at once. */
  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    if (this.readerClosed) {
      this.callSoon(() =>
        this.writerErrors?.(
          osError('EPIPE', 'write EPIPE: the peer has closed', { syscall: 'write' }),
        ),
      );
      return true;
    }
    this.pending.push(...chunks);
    this.pump();
    if (this.pending.length === 0) return true;
    this.pendingDone = done;
    return false;
  }

  shutdown(): void {
    this.eofRequested = true;
    this.schedule();
  }

  /** The writer went away: what reached the kernel is still delivered, then EOF. */
  closeWriter(): void {
    if (this.writerClosed) return;
    this.writerClosed = true;
    this.pending = [];
    this.pendingDone = null;
    this.eofRequested = true;
    this.schedule();
  }

  /** The reader went away: nothing more is delivered; later writes fail with EPIPE. */
  closeReader(): void {
    this.readerClosed = true;
    this.reading = false;
    this.kernel = [];
    this.kernelBytes = 0;
  }

  /** Bytes accepted from the writer and not yet read. */
  get inKernel(): number {
    return this.kernelBytes;
  }

  private pump(): void {
    while (this.pending.length > 0 && this.kernelBytes < this.capacity) {
      const chunk = this.pending[0] as Uint8Array;
      const room = this.capacity - this.kernelBytes;
      if (chunk.byteLength <= room) {
        this.pending.shift();
        this.kernel.push(chunk);
        this.kernelBytes += chunk.byteLength;
      } else {
        this.pending[0] = chunk.subarray(room);
        this.kernel.push(chunk.subarray(0, room));
        this.kernelBytes += room;
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.reading || this.readerClosed) return;
    if (this.kernel.length === 0 && !(this.eofRequested && this.pending.length === 0)) return;
    this.scheduled = true;
    this.callSoon(() => {
      this.scheduled = false;
      this.deliver();
    });
  }

  private deliver(): void {
    while (this.reading && !this.readerClosed && this.kernel.length > 0) {
      const chunk = this.kernel.shift() as Uint8Array;
      this.kernelBytes -= chunk.byteLength;
      this.reader?.onData(chunk);
    }
    if (this.pending.length > 0) {
      this.pump();
      if (this.pending.length === 0 && this.pendingDone) {
        const done = this.pendingDone;
        this.pendingDone = null;
        done();
      }
    }
    if (
      this.reading &&
      this.eofRequested &&
      !this.eofDelivered &&
      this.kernel.length === 0 &&
      this.pending.length === 0
    ) {
      this.eofDelivered = true;
      this.reader?.onEof();
    }
  }
}
