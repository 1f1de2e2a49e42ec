import type { StreamHandleEvents } from '../core/handle.js';

/** What one read asks for when the reader uses its own memory (Node reads 64 KiB too). */
const READ_SIZE = 64 * 1024;

/** The `onread` option of `net.connect`, typed as Node takes it. */
export interface OnReadOption {
  readonly buffer: () => Uint8Array;
  readonly callback: (nread: number, buffer: Uint8Array) => boolean;
}

/**
 * Reads a client socket through Node's `onread` option: libuv reads straight into the buffer
 * the transport lends (a `BufferedProtocol`'s own, so nothing is copied or allocated per read),
 * or else into memory of its own, handed on as a chunk.
 *
 * Node asks for the next buffer right after each read. A chunk that fills at least half of
 * the reader's own buffer is handed on as a view of it (and the next read gets a new one);
 * a smaller one is copied out, so that a 64-byte message does not pin 64 KiB.
 *
 * `onread` can only be given when the socket is created, so the reader exists before its
 * handle and transport; reads before `attach` cannot happen (reading starts after it).
 * @internal
 */
export class LendingReader {
  private events: StreamHandleEvents | null = null;
  private own: Uint8Array | null = null;
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
    if (this.lent !== null) return this.lent;
    this.own ??= new Uint8Array(READ_SIZE);
    return this.own;
  }

  private onRead(nread: number, buffer: Uint8Array): void {
    const events = this.events;
    if (events === null) return;
    if (buffer === this.lent) {
      this.lent = null;
      events.onLentData(nread);
      return;
    }
    let chunk: Uint8Array;
    if (nread * 2 >= buffer.byteLength) {
      chunk = buffer.subarray(0, nread);
      if (buffer === this.own) this.own = null;
    } else {
      chunk = new Uint8Array(buffer.subarray(0, nread));
    }
    events.onData(chunk);
  }
}
