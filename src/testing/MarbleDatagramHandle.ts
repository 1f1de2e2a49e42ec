import { ReplaySubject, type Observable } from 'rxjs';
import type { InetAddress } from '../core/address.js';
import type { CallSoon } from '../core/callSoon.js';
import type { DatagramHandle, DatagramHandleEvents } from '../core/datagramHandle.js';
import { toTransportError } from '../core/osErrors.js';
import type { Datagram } from '../core/datagramTransports.js';

/** What a datagram marble plays: a datagram, or an error the socket reports (ICMP). @internal */
export type MarbleDatagramEvent = Datagram | Error;

/**
 * A {@link DatagramHandle} fed by a marble Observable in virtual time. Datagrams that arrive
 * while reading is stopped are held (the kernel's receive queue) and delivered, in order, on
 * the turn after reading resumes; errors are reported at their frame (those before the socket
 * first reads, with the datagrams held before them). Every send leaves at once
 * and is recorded on `sent$`; its completion comes on the same frame, never synchronously.
 * @internal
 */
export class MarbleDatagramHandle implements DatagramHandle {
  readonly family = 'IPv4';
  private readonly sent = new ReplaySubject<Datagram>();
  /** What waits for reading: datagrams, and, until the first `readStart()`, errors too. */
  private readonly held: MarbleDatagramEvent[] = [];
  private started = false;
  private events: DatagramHandleEvents | null = null;
  private reading = false;
  private closed = false;
  private flushScheduled = false;

  /** Each datagram sent, with its destination; completes on close. */
  readonly sent$: Observable<Datagram> = this.sent.asObservable();

  constructor(
    incoming: Observable<MarbleDatagramEvent>,
    private readonly callSoon: CallSoon,
    readonly extraInfo: Readonly<Record<string, unknown>>,
    error: () => Error,
  ) {
    incoming.subscribe({
      next: (event) => {
        this.arrive(event);
      },
      error: (exc: unknown) => {
        // `#`: an error the socket reports; the socket stays usable, the marble is over.
        this.arrive(exc instanceof Error ? exc : error());
      },
    });
  }

  bind(events: DatagramHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.started = true;
    if (this.flushScheduled || this.held.length === 0) return;
    this.flushScheduled = true;
    this.callSoon(() => {
      this.flushScheduled = false;
      this.deliver();
    });
  }

  readStop(): void {
    this.reading = false;
  }

  send(data: Uint8Array, addr: InetAddress): boolean {
    // The endpoint reuses `data` once this returns: what was sent is a copy.
    this.sent.next({ data: data.slice(), addr });
    this.callSoon(() => {
      if (!this.closed) this.events?.onSent(null, 0);
    });
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sent.complete();
  }

  private arrive(event: MarbleDatagramEvent): void {
    if (this.closed) return;
    // Errors are not held once the socket is up: they come whether or not it reads.
    if (event instanceof Error && this.started) {
      this.events?.onError(toTransportError(event));
      return;
    }
    this.held.push(event);
    if (this.reading && this.held.length === 1) this.deliver();
  }

  private deliver(): void {
    while (this.reading && !this.closed && this.held.length > 0) {
      const event = this.held.shift() as MarbleDatagramEvent;
      if (event instanceof Error) this.events?.onError(toTransportError(event));
      else this.events?.onDatagram(event.data, event.addr);
    }
  }
}
