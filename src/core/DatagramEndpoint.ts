import type { Observable } from 'rxjs';
import { addressesEqual, type InetAddress } from './address.js';
import { invalidArgType, invalidArgValue, outOfRange } from './argErrors.js';
import { viewBytes, type BytesLike } from './bytes.js';
import type { CallSoon } from './callSoon.js';
import type { DatagramHandle, DatagramHandleEvents } from './datagramHandle.js';
import type { Datagram, DatagramTransport } from './datagramTransports.js';
import { TransportClosedError, TransportError } from './errors.js';
import { callReporting, reportException } from './exceptionHandler.js';
import { DEFAULT_HIGH_WATER } from './FlowControl.js';
import { TransportOSError, toTransportError } from './osErrors.js';
import type { DatagramProtocol } from './protocols.js';
import { RxDatagramProtocol } from './RxDatagramProtocol.js';
import { SendSlab } from './SendSlab.js';
import { TransportBase } from './TransportBase.js';
import { requireConnectPort, requireHost, requireObject } from './validate.js';

/**
 * The largest UDP payload: 65,535 minus the UDP header (8) and, over IPv4, the IP header (20),
 * which the IPv6 payload length does not count (jumbograms aside).
 */
const MAX_PAYLOAD = { IPv4: 65_507, IPv6: 65_527 } as const;

/** Options of a {@link DatagramEndpoint}. @internal */
export interface DatagramEndpointConfig {
  /** The user's protocol; without one the transport feeds its Rx surfaces. */
  readonly protocol?: DatagramProtocol<DatagramTransport> | undefined;
  /** asyncio's `remote_addr`, resolved: what `sendto` defaults to and the only address it takes. */
  readonly remoteAddr?: InetAddress | undefined;
  /** How callbacks are deferred (virtual time in tests). */
  readonly callSoon?: CallSoon | undefined;
  /** Bytes `datagrams$` holds for a late subscriber before reading stops. */
  readonly datagramBufferCapacity?: number | undefined;
}

/** The family an IP address literal belongs to; null for a host name. */
function literalFamily(host: string): 'IPv4' | 'IPv6' | null {
  if (host.includes(':')) return 'IPv6';
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'IPv4' : null;
}

function formatAddress(addr: InetAddress): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}

/** Checks a destination given to `sendto` against an endpoint of `family`. */
function checkDestination(value: unknown, family: 'IPv4' | 'IPv6'): InetAddress {
  const addr = requireObject('addr', value);
  if ('path' in addr) {
    throw invalidArgValue(
      'addr',
      'must be an Internet address { host, port }: this is a UDP endpoint',
    );
  }
  const host = requireHost('addr.host', addr['host']);
  const port = requireConnectPort('addr.port', addr['port']);
  const declared = addr['family'];
  if (declared !== undefined && declared !== 'IPv4' && declared !== 'IPv6') {
    throw invalidArgValue('addr.family', "must be 'IPv4' or 'IPv6'");
  }
  const hostFamily = literalFamily(host) ?? declared;
  if (hostFamily !== undefined && hostFamily !== family) {
    throw invalidArgValue(
      'addr',
      `is an ${hostFamily} address, but the endpoint's socket is ${family}. Received ${formatAddress({ host, port })}`,
    );
  }
  return { host, port };
}

/**
 * The datagram transport, over any {@link DatagramHandle}: asyncio's
 * `_SelectorDatagramTransport` I/O [D1–D8] on the shared lifecycle ({@link TransportBase}).
 * `close()` stops reading, lets queued datagrams go, then delivers `connectionLost(null)` [D7];
 * `abort()` drops them. OS errors of sends and receives go to `errorReceived` and the endpoint
 * stays open [D5]; anything else is fatal [E1].
 * @internal
 */
export class DatagramEndpoint
  extends TransportBase<
    DatagramTransport,
    DatagramProtocol<DatagramTransport>,
    RxDatagramProtocol,
    DatagramHandle
  >
  implements DatagramTransport
{
  protected readonly rx: RxDatagramProtocol;
  private readonly remote: InetAddress | undefined;
  /** Where `sendto` copies datagrams to. */
  private readonly slab = new SendSlab();
  /** Bytes of datagrams not yet handed to the OS. */
  private bufferedBytes = 0;
  /** Sends whose completion (success or OS error) has not been reported yet. */
  private outstanding = 0;

  constructor(handle: DatagramHandle, config: DatagramEndpointConfig = {}) {
    super(handle, config.callSoon);
    this.remote = config.remoteAddr;
    this.rx = new RxDatagramProtocol(this, config.datagramBufferCapacity ?? DEFAULT_HIGH_WATER);
    this.useProtocol(config.protocol);
    handle.bind(this.handleEvents());
  }

  private handleEvents(): DatagramHandleEvents {
    return {
      onDatagram: (data, addr) => {
        this.onDatagram(data, addr);
      },
      onError: (error) => {
        this.onReceiveError(error);
      },
      onDropped: (count) => {
        this.onDropped(count);
      },
      onSent: (error, queuedBytes) => {
        this.onSent(error, queuedBytes);
      },
    };
  }

  // ---- Rx surfaces -------------------------------------------------------------------------

  get datagrams$(): Observable<Datagram> {
    return this.rx.datagrams$;
  }

  get errors$(): Observable<Error> {
    return this.rx.errors$;
  }

  // ---- datagram ----------------------------------------------------------------------------

  sendto(data: BytesLike, addr?: InetAddress): void {
    // asyncio's order of checks: data type, address, then closed [D2].
    const view = viewBytes(data);
    const destination = this.destination(addr);
    const max = MAX_PAYLOAD[this.handle.family];
    if (view.byteLength > max) {
      throw outOfRange(
        'data.byteLength',
        `at most ${max} bytes long (the largest UDP payload over ${this.handle.family})`,
        `${view.byteLength} bytes`,
      );
    }
    if (this.isClosing()) {
      throw new TransportClosedError('Cannot call sendto() on a closing or closed transport');
    }
    const copy = this.slab.copy(view);
    const size = copy.byteLength;
    this.outstanding += 1;
    this.bufferedBytes += size;
    if (this.handle.send(copy, destination)) {
      this.bufferedBytes -= size;
      this.slab.release(copy);
    } else {
      this.flow.afterGrow();
    }
  }

  getWriteBufferSize(): number {
    return this.bufferedBytes;
  }

  // ---- lifecycle hooks ---------------------------------------------------------------------

  protected writesPending(): boolean {
    return this.outstanding > 0;
  }

  protected dropWrites(): void {
    this.bufferedBytes = 0;
    this.outstanding = 0;
  }

  protected readingWanted(): boolean {
    return true;
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Where a datagram goes: `addr`, checked, or the remote address [D2]. */
  private destination(addr: unknown): InetAddress {
    const remote = this.remote;
    if (addr === undefined || addr === null) {
      if (remote) return remote;
      throw invalidArgType(
        'addr',
        'an address { host, port } on an endpoint created without remoteAddr',
        addr,
      );
    }
    const target = checkDestination(addr, this.handle.family);
    if (remote && !addressesEqual(target, remote)) {
      throw invalidArgValue(
        'addr',
        `must be undefined or the remote address ${formatAddress(remote)} (asyncio: ValueError 'Invalid address'). Received ${formatAddress(target)}`,
      );
    }
    return remote ?? target;
  }

  private onSent(error: Error | null, queuedBytes: number): void {
    if (this.isLost()) return;
    this.outstanding -= 1;
    this.bufferedBytes -= queuedBytes;
    if (error) {
      const exc = toTransportError(error);
      if (exc instanceof TransportOSError) this.callErrorReceived(exc);
      else this.fatalError(exc, 'Fatal write error on datagram transport');
    }
    this.writeBufferShrank();
  }

  private onDatagram(data: Uint8Array, addr: InetAddress): void {
    if (this.isClosing()) return;
    // asyncio calls datagram_received outside its try block: an exception goes to the loop's
    // exception handler and the endpoint stays open. (callReporting's closure, inlined: this
    // runs for every datagram.)
    const protocol = this.protocol;
    try {
      protocol.datagramReceived?.(data, addr);
    } catch (exception) {
      reportException({
        message: 'Exception in protocol.datagramReceived()',
        exception,
        transport: this,
        protocol,
      });
    }
  }

  private onReceiveError(error: Error): void {
    if (this.isClosing()) return;
    const exc = toTransportError(error);
    if (exc instanceof TransportOSError) this.callErrorReceived(exc);
    else this.fatalError(exc, 'Fatal read error on datagram transport');
  }

  private onDropped(count: number): void {
    if (this.isClosing()) return;
    this.callErrorReceived(
      new TransportError(
        'ERR_DATAGRAMS_DROPPED',
        `${count} received datagram${count === 1 ? ' was' : 's were'} dropped: reading was stopped ` +
          '(datagrams$ had no subscriber and its buffer was full) and the receive queue was full',
      ),
    );
  }

  private callErrorReceived(exc: Error): void {
    callReporting(
      'Exception in protocol.errorReceived()',
      () => this.protocol.errorReceived?.(exc),
      { transport: this, protocol: this.protocol },
    );
  }
}
