import type { Socket } from 'node:net';
import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import { directWriter } from './directWrite.js';
import { watchLoss, writeFailure } from './destroyedStream.js';
import { writeBatch } from './writeBatch.js';
import type { SharedBufferReader } from './SharedBufferReader.js';

/** Longest time a cleanly closed socket waits for its peer's EOF before it is destroyed. */
const LINGER_MS = 30_000;

/**
 * Drives a stream transport from a connected `net.Socket` (TCP, Unix socket or pipe). The socket
 * must have `allowHalfOpen: true`, so that EOF is the protocol's to answer. A socket its
 * owner destroyed without an error is lost with `ERR_STREAM_DESTROYED`; a write to it is never
 * taken as sent.
 * @internal
 */
export class NetStreamHandle implements StreamHandle {
  readonly canShutdown: boolean;
  /** The kernel copies what a socket writes: nothing written is kept once its write is done. */
  readonly releasesWrites = true;
  private closed = false;
  /** An error was reported: the transport is losing the socket, nothing more is reported. */
  private lost = false;
  private events: StreamHandleEvents | null = null;
  private readonly direct: ((bytes: Uint8Array) => number) | null;
  /** Set when the socket was created with `onread` (client sockets): reads go through it. */
  private readonly reader: SharedBufferReader | null;

  constructor(
    private readonly socket: Socket,
    readonly extraInfo: Readonly<Record<string, unknown>>,
    options: { canShutdown?: boolean; reader?: SharedBufferReader | undefined } = {},
  ) {
    this.canShutdown = options.canShutdown ?? true;
    this.reader = options.reader ?? null;
    this.direct = directWriter(socket);
    // Paused until the transport starts reading (after connectionMade [S1]). A paused
    // net.Socket stops reading from the kernel once its small readable buffer is full.
    socket.pause();
    // Closed on its own once EOF went both ways; any other close is a destroy() from outside.
    watchLoss(
      socket,
      'socket',
      () => socket.readableEnded && socket.writableFinished,
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
    if (this.reader) this.reader.attach(events);
    else {
      this.socket.on('data', (chunk: Buffer) => {
        if (!this.closed) events.onData(chunk);
      });
    }
    this.socket.on('end', () => {
      if (!this.closed) events.onEof();
    });
  }

  readStart(): void {
    if (!this.closed) this.socket.resume();
  }

  readStop(): void {
    if (!this.closed) this.socket.pause();
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    // Failures also arrive through 'error', except a write to a socket destroyed from outside,
    // which fails in its callback only. Node also calls back, with no error, for a write that
    // destroy() cut short: after close() nothing is reported (the StreamHandle contract).
    return writeBatch(this.socket, chunks, done, this.writeFailed, this.isClosed);
  }

  private readonly writeFailed = (error: Error): void => {
    this.lose(writeFailure('socket', error));
  };

  private readonly isClosed = (): boolean => this.closed;

  tryWrite(bytes: Uint8Array): number {
    return this.closed || this.direct === null ? 0 : this.direct(bytes);
  }

  /** Gives the socket to a new owner (STARTTLS): no event follows, the socket stays open. */
  release(): Socket {
    this.closed = true;
    this.reader?.detach();
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    return this.socket;
  }

  shutdown(): void {
    if (!this.closed) this.socket.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader?.detach();
    this.socket.destroy();
  }

  /**
   * After a clean close every byte is in the kernel, but closing a socket whose receive queue
   * holds unread data makes the kernel send RST, and a peer that gets RST loses what it had
   * not read yet. So the socket sends FIN, discards what still arrives, and is destroyed when
   * the peer's EOF comes, or after {@link LINGER_MS}. It no longer keeps the process alive.
   */
  closeGracefully(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader?.detach();
    const socket = this.socket;
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
    });
    socket.once('end', () => socket.destroy());
    socket.end();
    socket.resume();
    socket.unref();
  }
}
