import { feedBufferedProtocol } from './feedBufferedProtocol.js';
import type { StreamHandleEvents } from './handle.js';
import {
  isBufferedProtocol,
  type BufferedProtocol,
  type Protocol,
  type StreamProtocol,
} from './protocols.js';

/** The transport a {@link ReceiveDispatch} delivers for. @internal */
export interface ReceiveTarget {
  /** Whether received bytes go to the protocol now (open, no EOF, reading not paused). */
  readonly receiving: boolean;
  /** Whether received bytes are thrown away (closing, or after EOF), rather than held. */
  readonly discarding: boolean;
  /** The fatal path, with asyncio's message for the callback that failed [E3, R7]. */
  receiveFailed(error: unknown, message: string): void;
  /** EOF reached the protocol's turn: after every byte before it was delivered. */
  receivedEof(): void;
}

/**
 * Hands received bytes to the transport's protocol: a chunk to `dataReceived`, or copied into
 * a `BufferedProtocol`'s buffers. Bytes the handle only lends for the call (its reusable read
 * buffer) are copied out for `dataReceived`, or straight into a `BufferedProtocol`'s buffer.
 *
 * Once the protocol pauses reading from inside a callback, nothing more is delivered: the rest
 * of the chunk being delivered (a `BufferedProtocol` takes one chunk in several buffers), and
 * anything the handle still reports, EOF included, wait in order for `resume()`.
 * @internal
 */
export class ReceiveDispatch<T> {
  private dataProtocol: Protocol<T>;
  private buffered: BufferedProtocol<T> | null = null;
  /** Bytes not delivered yet because reading was paused, oldest first (owned copies). */
  private pending: Uint8Array[] = [];
  private eofPending = false;
  /** Counts protocol changes: a BufferedProtocol stops being fed the moment it is replaced. */
  private generation = 0;
  private feeding = 0;
  private readonly receiving = (): boolean =>
    this.target.receiving && this.feeding === this.generation;

  constructor(
    private readonly target: ReceiveTarget,
    protocol: StreamProtocol<T>,
  ) {
    this.dataProtocol = protocol;
    this.protocolChanged(protocol);
  }

  /** The events a handle reports, routed here; `onError` is the transport's. */
  handleEvents(onError: (error: Error) => void): StreamHandleEvents {
    return {
      onData: (chunk) => {
        this.data(chunk);
      },
      onBorrowedData: (view) => {
        this.borrowed(view);
      },
      onEof: () => {
        this.eof();
      },
      onError,
    };
  }

  /** The transport's protocol changed (`setProtocol`). */
  protocolChanged(protocol: StreamProtocol<T>): void {
    this.dataProtocol = protocol;
    this.buffered = isBufferedProtocol(protocol) ? protocol : null;
    this.generation += 1;
  }

  /** Whether bytes or EOF wait for `resume()`. */
  get holding(): boolean {
    return this.pending.length > 0 || this.eofPending;
  }

  /** A chunk the handle read into its own memory; the protocol may keep it. */
  data(chunk: Uint8Array): void {
    if (!this.target.receiving || this.pending.length > 0) {
      this.hold(chunk, false);
      return;
    }
    this.deliver(chunk, false);
  }

  /** Bytes valid only during the call: copied into a BufferedProtocol's buffer, or copied out. */
  borrowed(view: Uint8Array): void {
    if (!this.target.receiving || this.pending.length > 0) {
      this.hold(view, true);
      return;
    }
    if (this.buffered) this.deliver(view, true);
    else this.deliver(new Uint8Array(view), false);
  }

  /** The peer sent EOF: delivered after what came before it. */
  eof(): void {
    if (this.target.discarding) return;
    if (this.holding || !this.target.receiving) {
      this.eofPending = true;
      return;
    }
    this.target.receivedEof();
  }

  /** Reading resumed: what waited is delivered, until the protocol pauses again. */
  resume(): void {
    while (this.pending.length > 0 && this.target.receiving) {
      this.deliver(this.pending.shift() as Uint8Array, false);
    }
    if (this.target.discarding) this.drop();
    else if (this.eofPending && this.pending.length === 0 && this.target.receiving) {
      this.eofPending = false;
      this.target.receivedEof();
    }
  }

  /** Takes what waited, oldest first, for another reader (STARTTLS hands it to TLS). */
  take(): Uint8Array[] {
    const taken = this.pending;
    this.drop();
    return taken;
  }

  /** Forgets what waited (the transport closed). */
  drop(): void {
    this.pending = [];
    this.eofPending = false;
  }

  private hold(bytes: Uint8Array, borrowed: boolean): void {
    if (this.target.discarding) return;
    this.pending.push(borrowed ? new Uint8Array(bytes) : bytes);
  }

  /** Delivers `chunk`; what a paused BufferedProtocol did not take goes first in `pending`. */
  private deliver(chunk: Uint8Array, borrowed: boolean): void {
    const buffered = this.buffered;
    if (!buffered) {
      try {
        this.dataProtocol.dataReceived?.(chunk);
      } catch (error) {
        this.target.receiveFailed(error, 'Fatal error: protocol.dataReceived() call failed.');
      }
      return;
    }
    this.feeding = this.generation;
    const reached = feedBufferedProtocol(buffered, chunk, this.receiving);
    if (typeof reached !== 'number') {
      this.target.receiveFailed(reached.error, reached.message);
      return;
    }
    if (reached === chunk.byteLength || this.target.discarding) return;
    const rest = chunk.subarray(reached);
    // The protocol was replaced from one of its callbacks: the new one gets the rest now.
    if (this.target.receiving) this.deliver(borrowed ? new Uint8Array(rest) : rest, false);
    else this.pending.unshift(borrowed ? new Uint8Array(rest) : rest);
  }
}
