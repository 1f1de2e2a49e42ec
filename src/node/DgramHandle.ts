import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { InetAddress } from '../core/address.js';
import type { DatagramHandle, DatagramHandleEvents } from '../core/datagramHandle.js';
import { toTransportError } from '../core/osErrors.js';
import { inetAddress } from './netAddress.js';
import { SizeFifo } from './SizeFifo.js';

/** Bytes a held datagram (or receive error) counts for besides its payload. */
const ENTRY_OVERHEAD = 8;
/** The receive queue's size when the socket cannot tell its SO_RCVBUF. */
const DEFAULT_RECEIVE_QUEUE = 256 * 1024;

type Held =
  | { readonly kind: 'datagram'; readonly data: Uint8Array; readonly addr: InetAddress }
  | { readonly kind: 'error'; readonly error: Error };

function sizeOf(entry: Held): number {
  return (entry.kind === 'datagram' ? entry.data.byteLength : 0) + ENTRY_OVERHEAD;
}

/**
 * dgram's address lookup, answering IP literals synchronously, so that a datagram for an IP
 * address reaches libuv inside `send()` and `getSendQueueCount()` tells whether it left at once.
 * Host names still go through `dns.lookup`.
 */
function literalFirstLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

/** Where a {@link DgramHandle} binds and connects. @internal */
export interface DgramSetup {
  /** The IP address and port to bind (port 0: any free one). */
  readonly local: { readonly host: string; readonly port: number };
  /** The IP address and port to connect to; the socket stays unconnected without it. */
  readonly remote?: { readonly host: string; readonly port: number } | undefined;
  /** Sets SO_BROADCAST. */
  readonly broadcast: boolean;
}

/**
 * Drives a datagram transport from a `dgram.Socket`.
 *
 * Node's dgram has no public way to stop receiving, so while the transport has reading stopped
 * (before `connectionMade`, or while `datagrams$` is full) this handle plays the kernel's part:
 * it queues what arrives, up to the socket's receive buffer size (SO_RCVBUF), and drops what
 * does not fit, reporting the count through `onDropped` (the kernel drops silently).
 * @internal
 */
export class DgramHandle implements DatagramHandle {
  readonly socket: Socket;
  private events: DatagramHandleEvents | null = null;
  private info: Readonly<Record<string, unknown>> = {};
  private connected = false;
  private reading = false;
  private started = false;
  private closed = false;
  private held: Held[] = [];
  private heldBytes = 0;
  private capacity = DEFAULT_RECEIVE_QUEUE;
  private unreportedDrops = 0;
  /** Where 'error' events go while `open()` binds or connects. */
  private setupFailed: ((error: unknown) => void) | null = null;
  /**
   * Per send to an IP address not completed yet, oldest first: its size when it waits in libuv's
   * queue, -1 when it left at once.
   */
  private readonly inFlight = new SizeFifo();
  /**
   * Our sends that may be in libuv's queue (queued ones, and those to host names): while there
   * is none, its count is known to be 0 without asking (a send by the user on the socket from
   * `getExtraInfo('socket')` only makes a datagram count as queued until it completes).
   */
  private mayBeQueued = 0;

  /**
   * dgram's callback for every send to an IP address, one function for all, as they complete in
   * the order they were made: dgram reports one that left at once on the next tick, and libuv
   * sends none at once while any waits in its queue, which it completes in order.
   */
  private readonly afterSend = (error: Error | null): void => {
    if (this.closed) return;
    const queuedBytes = this.inFlight.shift() ?? -1;
    if (queuedBytes >= 0) this.mayBeQueued -= 1;
    this.events?.onSent(error ? toTransportError(error) : null, Math.max(queuedBytes, 0));
  };

  constructor(
    readonly family: 'IPv4' | 'IPv6',
    options: { readonly reuseAddress?: boolean | undefined } = {},
  ) {
    this.socket = createSocket({
      type: family === 'IPv6' ? 'udp6' : 'udp4',
      reuseAddr: options.reuseAddress ?? false,
      lookup: literalFirstLookup,
    });
    // Both listeners come first: nothing is ever emitted without one.
    this.socket.on('message', (message: Buffer, rinfo: RemoteInfo) => {
      this.onMessage(message, rinfo);
    });
    this.socket.on('error', (error: Error) => {
      this.onSocketError(error);
    });
  }

  get extraInfo(): Readonly<Record<string, unknown>> {
    return this.info;
  }

  /**
   * Binds, sets SO_BROADCAST, connects, then captures `getExtraInfo`'s values.
   * Rejects with a `TransportOSError`; the caller closes the handle then.
   */
  async open(setup: DgramSetup): Promise<void> {
    await this.setupStep((done) => {
      this.socket.bind(setup.local.port, setup.local.host, () => {
        done(null);
      });
    });
    try {
      this.capacity = this.socket.getRecvBufferSize();
    } catch {
      // Keep the default: the bound matters, not its exact value.
    }
    try {
      if (setup.broadcast) this.socket.setBroadcast(true);
    } catch (error) {
      throw toTransportError(error);
    }
    const remote = setup.remote;
    if (remote) {
      await this.setupStep((done) => {
        this.socket.connect(remote.port, remote.host, (error?: Error) => {
          done(error ?? null);
        });
      });
      this.connected = true;
    }
    const local = this.socket.address();
    const peer = this.connected ? this.socket.remoteAddress() : undefined;
    this.info = {
      sockname: inetAddress(local.address, local.port, local.family),
      // asyncio reports None for an unconnected endpoint, whatever the default asked for [D8].
      peername: peer && inetAddress(peer.address, peer.port, peer.family),
      socket: this.socket,
    };
  }

  bind(events: DatagramHandleEvents): void {
    this.events = events;
  }

  readStart(): void {
    if (this.closed || this.reading) return;
    this.reading = true;
    this.started = true;
    const events = this.events;
    if (!events) return;
    if (this.unreportedDrops > 0) {
      const count = this.unreportedDrops;
      this.unreportedDrops = 0;
      events.onDropped(count);
    }
    while (this.reading && !this.closed && this.held.length > 0) {
      const entry = this.held.shift() as Held;
      this.heldBytes -= sizeOf(entry);
      this.deliver(events, entry);
    }
  }

  readStop(): void {
    this.reading = false;
  }

  send(data: Uint8Array, addr: InetAddress): boolean {
    if (this.closed) return true;
    // A datagram for a host name waits for DNS while later ones may leave: a callback of its own.
    const literal = this.connected || isIP(addr.host) !== 0;
    const callback = literal ? this.afterSend : this.afterNamedSend(data.byteLength);
    const queued = this.mayBeQueued === 0 ? 0 : this.socket.getSendQueueCount();
    try {
      if (this.connected) this.socket.send(data, callback);
      else this.socket.send(data, addr.port, addr.host, callback);
    } catch (error) {
      // Refused before anything was sent: dgram will not call the callback.
      process.nextTick(() => {
        if (!this.closed) this.events?.onSent(toTransportError(error), 0);
      });
      return true;
    }
    // An IP address reaches libuv inside send(): it is in libuv's queue only if it would block.
    const leftAtOnce = literal && this.socket.getSendQueueCount() === queued;
    if (!leftAtOnce) this.mayBeQueued += 1;
    if (literal) this.inFlight.push(leftAtOnce ? -1 : data.byteLength);
    return leftAtOnce;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reading = false;
    this.held = [];
    this.heldBytes = 0;
    this.inFlight.clear();
    this.mayBeQueued = 0;
    try {
      this.socket.close();
    } catch {
      // Already closed by Node (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
    }
  }

  /** dgram's callback for a send to a host name, which always counts as queued. */
  private afterNamedSend(size: number): (error: Error | null) => void {
    return (error) => {
      if (this.closed) return;
      this.mayBeQueued -= 1;
      this.events?.onSent(error ? toTransportError(error) : null, size);
    };
  }

  private setupStep(start: (done: (error: unknown) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (error: unknown): void => {
        if (settled) return;
        settled = true;
        this.setupFailed = null;
        if (error) reject(toTransportError(error));
        else resolve();
      };
      // Set before starting: with IP literals, dgram reports bind results synchronously.
      this.setupFailed = done;
      try {
        start(done);
      } catch (error) {
        done(error);
      }
    });
  }

  private onSocketError(error: Error): void {
    if (this.closed) return;
    if (this.setupFailed) {
      this.setupFailed(error);
      return;
    }
    // After setup, 'error' is a failed receive (ECONNREFUSED after an ICMP port-unreachable on a
    // connected socket, ...): asyncio's error_received, in order with the datagrams [D5].
    this.arrive({ kind: 'error', error: toTransportError(error) });
  }

  private onMessage(message: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const addr = inetAddress(rinfo.address, rinfo.port, rinfo.family) ?? {
      host: rinfo.address,
      port: rinfo.port,
    };
    const events = this.events;
    if (events && this.reading && this.held.length === 0) events.onDatagram(message, addr);
    else this.hold({ kind: 'datagram', data: message, addr });
  }

  /** Delivers an error at once, or holds it after the datagrams held before it. */
  private arrive(entry: Held): void {
    const events = this.events;
    if (events && this.reading && this.held.length === 0) this.deliver(events, entry);
    else this.hold(entry);
  }

  /** Queues what arrives while reading is stopped, up to the receive buffer's size. */
  private hold(entry: Held): void {
    const events = this.events;
    const size = sizeOf(entry);
    if (this.heldBytes + size > this.capacity) {
      // The kernel keeps a single pending error: losing a queued one is no worse.
      if (entry.kind === 'error') return;
      if (events && this.started) events.onDropped(1);
      else this.unreportedDrops += 1;
      return;
    }
    this.held.push(entry);
    this.heldBytes += size;
  }

  private deliver(events: DatagramHandleEvents, entry: Held): void {
    if (entry.kind === 'datagram') events.onDatagram(entry.data, entry.addr);
    else events.onError(entry.error);
  }
}
