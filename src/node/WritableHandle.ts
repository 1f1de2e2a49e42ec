import type { Writable } from 'node:stream';
import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import { directWriter } from './directWrite.js';
import { watchLoss, writeFailure } from './destroyedStream.js';
import { writeBatch } from './writeBatch.js';

/**
 * Drives a write pipe transport from any Node `Writable` (a pipe's `net.Socket`, a TTY, a file
 * stream on a character device, a child's stdin). A reader that went away shows as `EPIPE` on
 * the next write, which Node reports through 'error'
 * ([asyncio difference 23](../../docs/asyncio-differences.md#pipes-and-subprocesses)). A stream its owner destroyed (a
 * child's stdin once the child exited, `destroy()`) is lost with `ERR_STREAM_DESTROYED`: a
 * write to it is never taken as sent.
 * @internal
 */
export class WritableHandle implements StreamHandle {
  readonly canShutdown = true;
  /**
   * True over a socket or pipe (the kernel copies the bytes); a Node stream in general passes
   * written chunks on to its consumer, which may keep them.
   */
  readonly releasesWrites: boolean;
  private closed = false;
  /** An error was reported: the transport is losing the stream, nothing more is reported. */
  private lost = false;
  private events: StreamHandleEvents | null = null;
  private readonly direct: ((bytes: Uint8Array) => number) | null;

  constructor(
    private readonly stream: Writable,
    readonly extraInfo: Readonly<Record<string, unknown>>,
  ) {
    this.direct = directWriter(stream);
    this.releasesWrites = this.direct !== null;
    watchLoss(
      stream,
      'stream',
      () => stream.writableFinished,
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
  }

  readStart(): void {
    // A write pipe has nothing to read.
  }

  readStop(): void {
    // A write pipe has nothing to read.
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    // As NetStreamHandle: a write to a destroyed stream fails in its callback only.
    return writeBatch(this.stream, chunks, done, this.writeFailed, this.isClosed);
  }

  private readonly writeFailed = (error: Error): void => {
    this.lose(writeFailure('stream', error));
  };

  private readonly isClosed = (): boolean => this.closed;

  tryWrite(bytes: Uint8Array): number {
    return this.closed || this.direct === null ? 0 : this.direct(bytes);
  }

  shutdown(): void {
    if (!this.closed) this.stream.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const stream = this.stream;
    // The transport closes its handle after a clean close or writeEof() too, once every byte
    // was accepted. destroy() there made a Writable that processes what it is given (a gzip
    // stream, a PassThrough) drop its tail and its reader see 'Premature close' instead of EOF.
    // So a stream holding nothing unsent is ended and left to finish (it then destroys itself);
    // only one still holding bytes (abort, fatal error) is destroyed. Over a pipe fd both close
    // the fd, so the reader sees EOF either way.
    if (stream.destroyed || stream.writableLength > 0 || stream.errored) {
      stream.destroy();
    } else if (!stream.writableEnded) {
      stream.end();
    }
  }
}
