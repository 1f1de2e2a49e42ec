import { ReplaySubject, type Observable } from 'rxjs';
import { addressesEqual, type Address, type InetAddress } from './address.js';
import { invalidArgType, invalidArgValue, outOfRange } from './argErrors.js';
import { viewBytes, type BytesLike } from './bytes.js';
import { defaultCallSoon, type CallSoon } from './callSoon.js';
import { LossSchedule, reportFatal } from './teardown.js';
import type { DatagramHandle } from './datagramHandle.js';
import type { Datagram, DatagramTransport } from './datagramTransports.js';
import { TransportClosedError, TransportError } from './errors.js';
import { callReporting, reportException } from './exceptionHandler.js';
import { deliverConnectionLost } from './deliverConnectionLost.js';
import { DEFAULT_HIGH_WATER, FlowControl } from './FlowControl.js';
import { TransportOSError, toTransportError } from './osErrors.js';
import type { DatagramProtocol } from './protocols.js';
import { RxDatagramProtocol } from './RxDatagramProtocol.js';
import { SendSlab } from './SendSlab.js';
import {
  checkProtocol,
  extraInfoValue,
  requireConnectPort,
  requireObject,
  requireHost,
} from './validate.js';

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
  if (host === '') throw invalidArgValue('addr.host', 'must not be empty');
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
 * The datagram transport state machine, over any {@link DatagramHandle}: asyncio's
 * `_SelectorDatagramTransport` semantics [D1–D8].
 *
 * Lifecycle as streams: `connectionMade` on a later turn, then reading starts [S1]; `close()`
 * stops reading, lets queued datagrams go, then delivers `connectionLost(null)` [D7]; `abort()`
 * drops them. OS errors of sends and receives go to `errorReceived` and the endpoint stays open
 * [D5]; anything else is fatal [E1]. `connectionLost` comes once, from a later turn [S2, S3].
 * @internal
 */
export class DatagramEndpoint implements DatagramTransport {
  private protocol: DatagramProtocol<DatagramTransport>;
  private readonly rx: RxDatagramProtocol;
  private readonly flow: FlowControl;
  private readonly lost$ = new ReplaySubject<Error | null>(1);
  private readonly callSoon: CallSoon;
  private readonly remote: InetAddress | undefined;
  /** Where `sendto` copies datagrams to. */
  private readonly slab = new SendSlab();

  private made = false;
  private closing = false;
  private readonly loss: LossSchedule;
  private holds = 0;
  private handleReading = false;

  /** Bytes of datagrams not yet handed to the OS. */
  private bufferedBytes = 0;
  /** Sends whose completion (success or OS error) has not been reported yet. */
  private outstanding = 0;

  /** Resolves once `connectionMade` has run (the factory resolves after it [S1]). @internal */
  readonly ready: Promise<void>;
  readonly closed$: Observable<Error | null> = this.lost$.asObservable();
  readonly writable$: Observable<boolean>;

  constructor(
    private readonly handle: DatagramHandle,
    config: DatagramEndpointConfig = {},
  ) {
    this.callSoon = config.callSoon ?? defaultCallSoon;
    this.loss = new LossSchedule(this.callSoon, (exc) => {
      this.callConnectionLost(exc);
    });
    this.remote = config.remoteAddr;
    this.rx = new RxDatagramProtocol(
      () => this.holdReading(),
      config.datagramBufferCapacity ?? DEFAULT_HIGH_WATER,
    );
    this.protocol = this.rx;
    if (config.protocol) this.setProtocol(config.protocol);
    this.flow = new FlowControl(
      {
        pauseWriting: () => this.protocol.pauseWriting?.(),
        resumeWriting: () => this.protocol.resumeWriting?.(),
        size: () => this.getWriteBufferSize(),
      },
      (message, exception) => {
        reportException({ message, exception, transport: this, protocol: this.protocol });
      },
    );
    this.writable$ = this.flow.writable$;
    handle.bind({
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
    });
    this.ready = new Promise<void>((resolve) => {
      this.callSoon(() => {
        this.made = true;
        callReporting(
          'Exception in protocol.connectionMade()',
          () => this.protocol.connectionMade?.(this),
          { transport: this, protocol: this.protocol },
        );
        this.updateReading();
        resolve();
      });
    });
  }

  // ---- Rx surfaces -------------------------------------------------------------------------

  get datagrams$(): Observable<Datagram> {
    return this.rx.datagrams$;
  }

  get errors$(): Observable<Error> {
    return this.rx.errors$;
  }

  drain(): Promise<void> {
    return this.flow.drain(this.bufferedBytes);
  }

  // ---- base --------------------------------------------------------------------------------

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.updateReading();
    if (this.outstanding === 0) this.scheduleConnectionLost(null);
  }

  isClosing(): boolean {
    return this.closing;
  }

  getExtraInfo(name: 'peername' | 'sockname'): Address | undefined;
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return extraInfoValue(this.handle.extraInfo, name, defaultValue);
  }

  setProtocol(protocol: DatagramProtocol<DatagramTransport>): void {
    checkProtocol(protocol, 'protocol');
    this.protocol = protocol;
    if (protocol !== this.rx) this.rx.detach();
  }

  getProtocol(): DatagramProtocol<DatagramTransport> {
    return this.protocol;
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
    if (this.closing) {
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
      this.flow.afterGrow(this.bufferedBytes);
    }
  }

  abort(): void {
    this.forceClose(null);
  }

  getWriteBufferSize(): number {
    return this.bufferedBytes;
  }

  getWriteBufferLimits(): [number, number] {
    return [this.flow.low, this.flow.high];
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.flow.setLimits(this.bufferedBytes, high, low);
  }

  /** Stops reading until the returned function is called (the `datagrams$` buffer). @internal */
  holdReading(): () => void {
    this.holds += 1;
    this.updateReading();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.updateReading();
    };
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
    if (this.loss.scheduled) return;
    this.outstanding -= 1;
    this.bufferedBytes -= queuedBytes;
    if (error) {
      const exc = toTransportError(error);
      if (exc instanceof TransportOSError) this.callErrorReceived(exc);
      else this.fatalError(exc, 'Fatal write error on datagram transport');
    }
    if (this.loss.scheduled) return;
    if (queuedBytes > 0) this.flow.afterShrink(this.bufferedBytes);
    if (this.closing && this.outstanding === 0) this.scheduleConnectionLost(null);
  }

  private updateReading(): void {
    const want = this.made && !this.closing && this.holds === 0;
    if (want === this.handleReading) return;
    this.handleReading = want;
    if (want) this.handle.readStart();
    else this.handle.readStop();
  }

  private onDatagram(data: Uint8Array, addr: InetAddress): void {
    if (this.closing) return;
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
    if (this.closing) return;
    const exc = toTransportError(error);
    if (exc instanceof TransportOSError) this.callErrorReceived(exc);
    else this.fatalError(exc, 'Fatal read error on datagram transport');
  }

  private onDropped(count: number): void {
    if (this.closing) return;
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

  /** asyncio `_fatal_error`: report what is not an OS error [E1], then force-close. */
  private fatalError(error: unknown, message: string): void {
    this.forceClose(reportFatal(error, message, { transport: this, protocol: this.protocol }));
  }

  /** asyncio `_force_close`: drop the queue, stop everything, report the loss later. */
  private forceClose(exc: Error | null): void {
    if (this.loss.scheduled) return;
    this.closing = true;
    this.bufferedBytes = 0;
    this.outstanding = 0;
    this.updateReading();
    this.handle.close();
    this.scheduleConnectionLost(exc);
  }

  private scheduleConnectionLost(exc: Error | null): void {
    this.closing = true;
    this.loss.schedule(exc);
  }

  private callConnectionLost(exc: Error | null): void {
    this.handle.close();
    deliverConnectionLost(exc, {
      transport: this,
      protocol: this.protocol,
      rx: this.rx,
      flow: this.flow,
      lost$: this.lost$,
    });
  }
}
