import { ReplaySubject, type Observable } from 'rxjs';
import type { CallSoon } from '../core/callSoon.js';
import type { StreamHandle, StreamHandleEvents } from '../core/handle.js';
import { toTransportError } from '../core/osErrors.js';

type Incoming =
  | { readonly kind: 'data'; readonly chunk: Uint8Array }
  | { readonly kind: 'eof' }
  | { readonly kind: 'error'; readonly error: Error };

/**
 * A {@link StreamHandle} fed by a marble Observable in virtual time. What arrives while the
 * transport is not reading is held and delivered, in order and as the original chunks, on the
 * turn after reading resumes. Every write is accepted at once and recorded on `written$`.
 * @internal
 */
export class MarbleStreamHandle implements StreamHandle {
  readonly canShutdown = true;
  readonly extraInfo: Readonly<Record<string, unknown>> = {
    peername: { path: 'marble:peer' },
    sockname: { path: 'marble:local' },
  };
  private readonly written = new ReplaySubject<Uint8Array>();
  private readonly held: Incoming[] = [];
  private events: StreamHandleEvents | null = null;
  private reading = false;
  private closed = false;
  private flushScheduled = false;

  /** Each write, as written; completes on shutdown or close. */
  readonly written$: Observable<Uint8Array> = this.written.asObservable();

  constructor(
    incoming: Observable<Uint8Array>,
    private readonly callSoon: CallSoon,
  ) {
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

  write(chunks: readonly Uint8Array[]): boolean {
    for (const chunk of chunks) this.written.next(chunk);
    return true;
  }

  shutdown(): void {
    this.written.complete();
  }

  close(): void {
    this.closed = true;
    this.written.complete();
  }

  private arrive(item: Incoming): void {
    if (this.closed) return;
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
