import { askForBuffer, feedBufferedProtocol } from './feedBufferedProtocol.js';
import {
  isBufferedProtocol,
  type BufferedProtocol,
  type Protocol,
  type StreamProtocol,
} from './protocols.js';

/** What the dispatch needs from its transport. @internal */
export interface ReceiveHost<T> {
  /** The protocol of the moment. */
  protocol(): StreamProtocol<T>;
  /** Whether received bytes are still wanted (not closing, no EOF yet). */
  open(): boolean;
  /** Whether the handle is reading (a paused protocol lends no buffer). */
  reading(): boolean;
  /** The fatal path, with asyncio's message for the callback that failed [E3, R7]. */
  fail(error: unknown, message: string): void;
}

/**
 * Hands received bytes to the transport's protocol: a chunk to `dataReceived`, or copied into
 * a `BufferedProtocol`'s buffers; or, for a handle that reads into given memory, the
 * `BufferedProtocol`'s own buffer lent for the next read, so that nothing is copied.
 * @internal
 */
export class ReceiveDispatch<T> {
  private buffered: BufferedProtocol<T> | null = null;
  /** The buffer the handle reads into next, and whose it is. */
  private lent: { readonly to: BufferedProtocol<T>; readonly buffer: Uint8Array } | null = null;

  constructor(private readonly host: ReceiveHost<T>) {}

  /** The transport's protocol changed (`setProtocol`). */
  protocolChanged(protocol: StreamProtocol<T>): void {
    this.buffered = isBufferedProtocol(protocol) ? protocol : null;
  }

  /** A chunk the handle read into its own memory; the protocol may keep it. */
  data(chunk: Uint8Array): void {
    if (!this.host.open()) return;
    const buffered = this.buffered;
    if (!buffered) {
      try {
        (this.host.protocol() as Protocol<T>).dataReceived?.(chunk);
      } catch (error) {
        this.host.fail(error, 'Fatal error: protocol.dataReceived() call failed.');
      }
      return;
    }
    const failure = feedBufferedProtocol(buffered, chunk, () => this.host.open());
    if (failure) this.host.fail(failure.error, failure.message);
  }

  /** Bytes valid only during the call: copied into a BufferedProtocol's buffer, or copied out. */
  borrowed(view: Uint8Array): void {
    if (!this.host.open()) return;
    const buffered = this.buffered;
    if (!buffered) {
      this.data(new Uint8Array(view));
      return;
    }
    const failure = feedBufferedProtocol(buffered, view, () => this.host.open());
    if (failure) this.host.fail(failure.error, failure.message);
  }

  /**
   * A handle that reads into given memory asks for its next buffer when a read finishes:
   * asyncio asks `getBuffer(-1)` when the next bytes are ready [R7], which Node does not tell.
   * Only a reading BufferedProtocol lends one; a paused one is asked again on its next read.
   */
  lend(): Uint8Array | null {
    this.lent = null;
    const buffered = this.buffered;
    if (buffered === null || !this.host.reading()) return null;
    const buffer = askForBuffer(buffered, -1);
    if (!(buffer instanceof Uint8Array)) {
      this.host.fail(buffer.error, buffer.message);
      return null;
    }
    this.lent = { to: buffered, buffer };
    return buffer;
  }

  /** `nbytes` bytes were read into the buffer `lend()` returned last. */
  lentData(nbytes: number): void {
    const lent = this.lent;
    this.lent = null;
    if (lent === null || !this.host.open()) return;
    if (lent.to !== this.host.protocol()) {
      // setProtocol() came between the loan and the read: the new protocol gets the bytes.
      this.data(new Uint8Array(lent.buffer.subarray(0, nbytes)));
      return;
    }
    try {
      lent.to.bufferUpdated(nbytes);
    } catch (error) {
      this.host.fail(error, 'Fatal error: protocol.bufferUpdated() call failed.');
    }
  }
}
