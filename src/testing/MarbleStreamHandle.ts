import { ReplaySubject, type Observable } from 'rxjs';
import type { CallSoon } from '../core/callSoon.js';
import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import { toTransportError } from '../core/osErrors.js';
import { MarblePeer } from './MarblePeer.js';

type Incoming =
  | { readonly kind: 'data'; readonly chunk: Uint8Array }
  | { readonly kind: 'eof' }
  | { readonly kind: 'error'; readonly error: Error };

/** The peer's reading, when it is drawn. @internal */
export interface MarblePeerReads {
  /** At each value the peer reads that many bytes (`Infinity`: all there is). */
  readonly reads: Observable<number>;
  /** Bytes that fit between us and the peer. */
  readonly buffer: number;
}

/**
 * A {@link StreamHandle} fed by a marble Observable in virtual time. What arrives while the
 * transport is not reading is held and delivered, in order and as the original chunks, on the
 * turn after reading resumes. Without `peer`, every write is accepted at once and recorded on
 * `written$`; with it, writes wait for the peer's reads, and `written$` records each read.
 * @internal
 */
export class MarbleStreamHandle implements StreamHandle {
  canShutdown = true;
  readonly extraInfo: Readonly<Record<string, unknown>>;
  private readonly written = new ReplaySubject<Uint8Array>();
  private readonly held: Incoming[] = [];
  private readonly peer: MarblePeer | null;
  private events: StreamHandleEvents | null = null;
  private reading = false;
  private closed = false;
  private flushScheduled = false;
  private eofArrived = false;

  /** Each write (or each read of a drawn peer); completes on shutdown or close. */
  readonly written$: Observable<Uint8Array> = this.written.asObservable();

  constructor(
    incoming: Observable<Uint8Array>,
    private readonly callSoon: CallSoon,
    peer?: MarblePeerReads,
    extraInfo?: Readonly<Record<string, unknown>>,
  ) {
    this.extraInfo = extraInfo ?? {
      peername: { path: 'marble:peer' },
      sockname: { path: 'marble:local' },
    };
    this.peer = peer
      ? new MarblePeer(peer.reads, peer.buffer, this.written, (error) => {
          this.arrive({ kind: 'error', error: toTransportError(error) });
        })
      : null;
    incoming.subscribe({
      next: (chunk) => {
        this.arrive({ kind: 'data', chunk });
      },
      complete: () => {
        this.arrive({ kind: 'eof' });
      },
      error: (error: unknown) => {
        this.arrive({ kind: 'error', error: toTransportError(error) });
      },
    });
  }

  bind(events: StreamHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.scheduleFlush();
  }

  readStop(): void {
    this.reading = false;
  }

  write(chunks: readonly Uint8Array[], done: () => void): boolean {
    if (this.peer) return this.peer.write(chunks, done);
    for (const chunk of chunks) this.written.next(chunk);
    return true;
  }

  shutdown(): void {
    if (this.peer) this.peer.shutdown();
    else this.written.complete();
  }

  close(): void {
    this.closed = true;
    this.peer?.close();
    this.written.complete();
  }

  closeGracefully(): void {
    // The peer still reads what reached its side, then sees EOF.
    if (!this.peer) {
      this.close();
      return;
    }
    this.closed = true;
    this.peer.shutdown();
  }

  /** The writer at the other end went away without a marble saying so (a killed child). */
  end(): void {
    this.arrive({ kind: 'eof' });
  }

  private arrive(item: Incoming): void {
    if (this.closed) return;
    if (this.eofArrived) return;
    if (item.kind === 'eof') this.eofArrived = true;
    // Errors are not held: a reset is noticed whether or not the transport reads.
    if (item.kind === 'error') {
      this.events?.onError(item.error);
      return;
    }
    this.held.push(item);
    if (this.reading && this.held.length === 1) this.deliver();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.held.length === 0) return;
    this.flushScheduled = true;
    this.callSoon(() => {
      this.flushScheduled = false;
      this.deliver();
    });
  }

  private deliver(): void {
    while (this.reading && !this.closed && this.held.length > 0) {
      const item = this.held.shift() as Incoming;
      if (item.kind === 'data') this.events?.onData(item.chunk);
      else if (item.kind === 'eof') this.events?.onEof();
    }
  }
}
