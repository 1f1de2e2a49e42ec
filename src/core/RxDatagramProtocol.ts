import { Subject, type Observable } from 'rxjs';
import type { InetAddress } from './address.js';
import type { Datagram } from './datagramTransports.js';
import { HotQueue } from './HotQueue.js';
import type { DatagramProtocol } from './protocols.js';
import type { BuiltInProtocol, ReadingHolder } from './TransportBase.js';

/** Bytes a held datagram counts for besides its payload, so that empty ones count too. */
const DATAGRAM_OVERHEAD = 8;

/**
 * The built-in protocol of a datagram transport created without one: it feeds `datagrams$`
 * and `errors$`. Datagrams that arrive with no subscriber are held up to `capacity` bytes; then
 * the transport stops reading until a subscriber takes them (`holdReading`).
 * @internal
 */
export class RxDatagramProtocol implements DatagramProtocol, BuiltInProtocol {
  private readonly queue: HotQueue<Datagram>;
  private readonly errors = new Subject<Error>();

  /** Received datagrams, hot, held for the next subscriber. */
  readonly datagrams$: Observable<Datagram>;
  /** Errors handed to `errorReceived`, hot, not held. */
  readonly errors$: Observable<Error> = this.errors.asObservable();

  constructor(host: ReadingHolder, capacity: number) {
    this.queue = new HotQueue<Datagram>({
      capacity,
      sizeOf: (datagram) => datagram.data.byteLength + DATAGRAM_OVERHEAD,
      holdProducer: () => host.holdReading(),
    });
    this.datagrams$ = this.queue.observable;
  }

  attach(): void {
    this.queue.attachProducer();
  }

  detach(): void {
    this.queue.detachProducer();
  }

  datagramReceived(data: Uint8Array, addr: InetAddress): void {
    this.queue.push({ data, addr });
  }

  errorReceived(exc: Error): void {
    this.errors.next(exc);
  }

  connectionLost(exc: Error | null): void {
    if (exc) this.queue.error(exc);
    else this.queue.complete();
    this.errors.complete();
  }
}
