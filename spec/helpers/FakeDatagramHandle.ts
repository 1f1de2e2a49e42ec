import type { InetAddress } from '../../src/core/address';
import type { DatagramHandle, DatagramHandleEvents } from '../../src/core/datagramHandle';
import { DatagramEndpoint, type DatagramEndpointConfig } from '../../src/core/DatagramEndpoint';
import { osError } from '../../src/core/osErrors';
import { bytes } from './FakeStreamHandle';

/** The peer a FakeDatagramHandle receives from unless told otherwise, and an IPv6 one. */
export const PEER: InetAddress = { host: '192.0.2.7', port: 5000 };
export const PEER6: InetAddress = { host: '2001:db8::7', port: 5000 };

/**
 * A scriptable DatagramHandle: the test decides whether a datagram leaves at once or waits in
 * the "OS" queue, when each send completes (and with what error), and what arrives.
 */
export class FakeDatagramHandle implements DatagramHandle {
  reading = false;
  readStarts = 0;
  closes = 0;
  /** Whether `send` reports the datagram as gone at once (else it waits in a queue). */
  leaveAtOnce = true;
  readonly sent: { data: Uint8Array; addr: InetAddress }[] = [];
  /** Per send not completed yet, oldest first: the bytes it was counted as queued for. */
  private readonly pending: number[] = [];
  private events: DatagramHandleEvents | null = null;

  constructor(
    readonly family: 'IPv4' | 'IPv6' = 'IPv4',
    readonly extraInfo: Readonly<Record<string, unknown>> = {},
  ) {}

  bind(events: DatagramHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    this.reading = true;
    this.readStarts += 1;
  }

  readStop(): void {
    this.reading = false;
  }

  /**
   * Records the datagram as the OS would read it: at once when it leaves at once (the endpoint
   * reuses that memory as soon as `send` returns), else later, so `sent` keeps the array itself.
   */
  send(data: Uint8Array, addr: InetAddress): boolean {
    const leftAtOnce = this.leaveAtOnce;
    this.sent.push({ data: leftAtOnce ? data.slice() : data, addr });
    this.pending.push(leftAtOnce ? 0 : data.byteLength);
    return leftAtOnce;
  }

  /** Reports the completion of the oldest send not yet completed. */
  complete(error: Error | null = null): void {
    const queuedBytes = this.pending.shift();
    if (queuedBytes === undefined) throw new Error('no send outstanding');
    this.events?.onSent(error, queuedBytes);
  }

  completeAll(): void {
    while (this.pending.length > 0) this.complete();
  }

  get outstanding(): number {
    return this.pending.length;
  }

  close(): void {
    this.closes += 1;
  }

  receive(data: string | Uint8Array, addr: InetAddress = PEER): void {
    this.events?.onDatagram(typeof data === 'string' ? bytes(data) : data, addr);
  }

  fail(error: Error): void {
    this.events?.onError(error);
  }

  drop(count: number): void {
    this.events?.onDropped(count);
  }

  sentText(): string[] {
    return this.sent.map((s) => Buffer.from(s.data).toString());
  }
}

/** A DatagramEndpoint over `handle`, once its connectionMade has run. */
export async function open(
  handle: FakeDatagramHandle,
  config: DatagramEndpointConfig = {},
): Promise<DatagramEndpoint> {
  const endpoint = new DatagramEndpoint(handle, config);
  await endpoint.ready;
  return endpoint;
}

/** The OS error a connected UDP socket reports for an ICMP port-unreachable. */
export const refused = (): Error =>
  osError('ECONNREFUSED', 'recvmsg ECONNREFUSED', { syscall: 'recvmsg' });
