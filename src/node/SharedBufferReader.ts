import type { StreamHandleEvents } from '../core/handle.js';

/**
 * The memory every client socket reads into: one buffer for the whole process. libuv fills it
 * and Node calls back in the same step, and each read is consumed before the callback returns,
 * so no two sockets ever use it at once. (Node reads 64 KiB at a time too.)
 */
const sharedReadBuffer = new Uint8Array(64 * 1024);

/** The `onread` option of `net.connect`, typed as Node takes it. */
export interface OnReadOption {
  readonly buffer: Uint8Array;
  readonly callback: (nread: number, buffer: Uint8Array) => boolean;
}

/**
 * Reads a client socket through Node's `onread` option, into the shared read buffer: the
 * transport copies each chunk out at its exact size for `dataReceived` and `data$` (one
 * allocation per chunk, as Node's own reads end up, and no idle connection holds a read
 * buffer), or straight into a `BufferedProtocol`'s buffer, with no allocation at all.
 *
 * A protocol's own buffer is never handed to Node: Node asks for the next read's buffer as soon
 * as a read finishes, and the read may come much later, when the protocol's buffer (or the
 * protocol) has changed; asyncio asks `getBuffer` right before each read
 * ([asyncio difference 8](../../docs/asyncio-differences.md#reading)).
 *
 * `onread` can only be given when the socket is created, so the reader exists before its
 * handle and transport; reads start only after `attach` (the socket is paused until then).
 * @internal
 */
export class SharedBufferReader {
  private events: StreamHandleEvents | null = null;

  readonly option: OnReadOption = {
    buffer: sharedReadBuffer,
    callback: (nread, buffer) => {
      // Bytes read after the handle closed (a graceful close drains the socket) are dropped.
      this.events?.onBorrowedData(buffer.subarray(0, nread));
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
    this.events = null;
  }
}
