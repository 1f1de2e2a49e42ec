import { feedBufferedProtocol } from './feedBufferedProtocol.js';
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
  /** The fatal path, with asyncio's message for the callback that failed [E3, R7]. */
  fail(error: unknown, message: string): void;
}

/**
 * Hands received bytes to the transport's protocol: a chunk to `dataReceived`, or copied into
 * a `BufferedProtocol`'s buffers. Bytes the handle only lends for the call (its reusable read
 * buffer) are copied out for `dataReceived`, or straight into a `BufferedProtocol`'s buffer.
 * @internal
 */
export class ReceiveDispatch<T> {
  private buffered: BufferedProtocol<T> | null = null;

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
}
