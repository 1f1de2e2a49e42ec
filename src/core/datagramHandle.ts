/**
 * What a platform adapter provides to drive a datagram transport: the seam between the
 * platform-free core and Node's `dgram` (or an in-memory test double).
 */
import type { InetAddress } from './address.js';

/** Events a datagram handle reports to its transport. */
export interface DatagramHandleEvents {
  /** One datagram received from `addr` (possibly empty). The transport takes the array. */
  onDatagram(data: Uint8Array, addr: InetAddress): void;
  /**
   * An error while receiving (already a `TransportOSError` where the OS reported it), such as
   * `ECONNREFUSED` after an ICMP port-unreachable on a connected socket. The socket stays usable.
   */
  onError(error: Error): void;
  /**
   * `count` received datagrams were dropped because reading was stopped and the handle's own
   * receive queue was full (a platform that cannot stop receiving emulates the kernel's queue).
   * Never called before the first `readStart()`: drops before it are reported from there.
   */
  onDropped(count: number): void;
  /**
   * One `send` completed, with `null` or the error the OS reported for it. Called exactly once
   * per `send`, never synchronously, and not after `close()`; completions may come out of order
   * (a datagram for a host name waits for DNS while later ones leave). `queuedBytes` is the
   * datagram's size when `send` returned false (it was counted as queued), else 0.
   */
  onSent(error: Error | null, queuedBytes: number): void;
}

/** An open UDP socket, bound (and connected, when it has a single peer). */
export interface DatagramHandle {
  /** The socket's address family: what addresses it can send to, and its maximum datagram. */
  readonly family: 'IPv4' | 'IPv6';
  /** Values for `getExtraInfo`, captured when the socket was set up. */
  readonly extraInfo: Readonly<Record<string, unknown>>;
  /** Connects the handle's events to its transport; called once, before any other method. */
  bind(events: DatagramHandleEvents): void;
  /**
   * Starts or resumes delivering datagrams, first those received while stopped. Idempotent.
   * A handle starts stopped.
   */
  readStart(): void;
  /** Stops delivering datagrams. Idempotent. */
  readStop(): void;
  /**
   * Hands one datagram for `addr` to the OS (a connected socket sends to its peer, which is
   * `addr`); `onSent` reports its completion. Returns true when the datagram left the process at
   * once (sent, or refused by the OS): the handle then keeps no reference to `data`, whose memory
   * the caller reuses at once. Returns false when it waits in a queue: `data` must stay unchanged
   * until `onSent`, and the caller never touches it again.
   */
  send(data: Uint8Array, addr: InetAddress): boolean;
  /** Releases the socket at once, dropping queued datagrams; no event follows. Idempotent. */
  close(): void;
}
