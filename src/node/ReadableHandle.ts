import type { Readable } from 'node:stream';
import { UnsupportedError } from '../core/errors.js';
import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import { invalidArgType } from '../core/argErrors.js';
import { watchLoss } from './destroyedStream.js';

/**
 * Drives a read pipe transport from any Node `Readable` (a pipe's `net.Socket`, a TTY, a file
 * stream on a character device, a child's stdout). Pausing the stream stops Node reading once
 * its small internal buffer is full, so the writer on the other end blocks. A stream its owner
 * destroyed before EOF is lost with `ERR_STREAM_DESTROYED`.
 * @internal
 */
export class ReadableHandle implements StreamHandle {
  readonly canShutdown = false;
  private closed = false;
  /** An error was reported: the transport is losing the stream, nothing more is reported. */
  private lost = false;
  /** Whether the EOF of a stream that had ended already was given. */
  private eofGiven = false;
  private events: StreamHandleEvents | null = null;

  constructor(
    private readonly stream: Readable,
    readonly extraInfo: Readonly<Record<string, unknown>>,
  ) {
    stream.pause();
    watchLoss(
      stream,
      'stream',
      () => stream.readableEnded,
      (error) => {
        this.lose(error);
      },
    );
  }

  private lose(error: Error): void {
    if (this.closed || this.lost) return;
    this.lost = true;
    this.events?.onError(error);
  }

  bind(events: StreamHandleEvents): void {
    this.events = events;
    this.stream.on('data', (chunk: unknown) => {
      if (this.closed) return;
      if (chunk instanceof Uint8Array) events.onData(chunk);
      else
        this.lose(
          invalidArgType('chunk', 'bytes (the stream must not have an encoding set)', chunk),
        );
    });
    this.stream.on('end', () => {
      if (!this.closed) events.onEof();
    });
  }

  readStart(): void {
    if (this.closed) return;
    // A stream whose 'end' came before the transport got it: EOF now, as a pipe at EOF gives.
    if (this.stream.readableEnded && !this.eofGiven) {
      this.eofGiven = true;
      const events = this.events;
      process.nextTick(() => {
        if (!this.closed) events?.onEof();
      });
      return;
    }
    this.stream.resume();
  }

  readStop(): void {
    if (!this.closed) this.stream.pause();
  }

  write(): boolean {
    throw new UnsupportedError('A read pipe cannot be written to');
  }

  shutdown(): void {
    // Nothing to half-close on a read-only stream.
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
  }
}
