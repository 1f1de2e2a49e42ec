import type { StreamHandleEvents } from '../core/handle.js';

/**
 * The memory every reader reads into when nothing is lent: one buffer for the whole process.
 * libuv fills it and Node calls back in the same step, and each read is copied out before the
 * callback returns, so no two sockets ever use it at once. (Node reads 64 KiB at a time too.)
 */
const sharedReadBuffer = new Uint8Array(64 * 1024);

/** The `onread` option of `net.connect`, typed as Node takes it. */
export interface OnReadOption {
  readonly buffer: () => Uint8Array;
  readonly callback: (nread: number, buffer: Uint8Array) => boolean;
}

/**
 * Reads a client socket through Node's `onread` option: libuv reads straight into the buffer
 * the transport lends (a `BufferedProtocol`'s own, so nothing is copied or allocated per read),
 * or else into the shared read buffer, from which the transport copies each chunk out at its
 * exact size (as Node's own reads end up: one allocation per chunk, and no idle connection
 * holds 64 KiB), or into a `BufferedProtocol`'s buffer with no allocation at all.
 *
 * Node asks for the next buffer right after each read.
 *
 * `onread` can only be given when the socket is created, so the reader exists before its
 * handle and transport; reads before `attach` cannot happen (reading starts after it).
 * @internal
 */
export class LendingReader {
  private events: StreamHandleEvents | null = null;
  private lent: Uint8Array | null = null;
  private active = true;

  readonly option: OnReadOption = {
    buffer: () => this.nextBuffer(),
    callback: (nread, buffer) => {
      this.onRead(nread, buffer);
      // Reading is stopped with socket.pause(), never by this result.
      return true;
    },
  };

  /** Connects the reader to the handle's events. */
  attach(events: StreamHandleEvents): void {
    this.events = events;
  }

  /** Stops reporting (the handle was closed). */
  detach(): void {
    this.active = false;
    this.events = null;
  }

  private nextBuffer(): Uint8Array {
    this.lent = this.active ? (this.events?.lendBuffer() ?? null) : null;
    return this.lent ?? sharedReadBuffer;
  }

  private onRead(nread: number, buffer: Uint8Array): void {
    const events = this.events;
    if (events === null) return;
    if (buffer === this.lent) {
      this.lent = null;
      events.onLentData(nread);
      return;
    }
    // The shared buffer is reused by the next read of any socket: the transport copies what
    // it keeps, straight into a BufferedProtocol's buffer when it has one.
    events.onBorrowedData(buffer.subarray(0, nread));
  }
}
