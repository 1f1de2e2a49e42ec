/**
 * The datagram transport interface (asyncio `DatagramTransport`, camelCased), with its Rx
 * surfaces. Datagram transports are created only by `createDatagramEndpoint`.
 */
import type { Observable } from 'rxjs';
import type { InetAddress } from './address.js';
import type { BytesLike } from './bytes.js';
import type { DatagramProtocol } from './protocols.js';
import type { BaseTransport } from './transports.js';

/**
 * One received datagram and its sender, as `datagrams$` emits it.
 * @group Transports
 */
export interface Datagram {
  /** The payload; empty for a zero-length datagram. */
  readonly data: Uint8Array;
  /** The sender's address. */
  readonly addr: InetAddress;
}

/**
 * A UDP endpoint (asyncio `DatagramTransport`). Besides asyncio's methods it has the write flow
 * control of stream transports, which asyncio's datagram transports have undocumented
 * ([asyncio difference 52](../../docs/asyncio-differences.md#creating-endpoints)), and Rx surfaces.
 * @group Transports
 */
export interface DatagramTransport extends BaseTransport<DatagramProtocol<DatagramTransport>> {
  /**
   * Sends one datagram (copied). With `remoteAddr`, `addr` must be left out or equal to the
   * remote address; without it, `addr` is required. An empty `data` sends a zero-length
   * datagram, as asyncio 3.13+ does
   * ([asyncio difference 36](../../docs/asyncio-differences.md#sending)). The datagram goes to
   * the OS at once when it can, else it is queued in order and counted by `getWriteBufferSize()`.
   * An error the OS reports for it goes to `errorReceived`/`errors$` on a later turn; the endpoint
   * stays open ([asyncio difference 38](../../docs/asyncio-differences.md#sending)).
   * @throws TypeError `ERR_INVALID_ARG_TYPE` when `data` is not bytes, or when `addr` is
   *   missing on an endpoint without `remoteAddr` (asyncio takes its fatal-error path here)
   *   ([asyncio difference 33](../../docs/asyncio-differences.md#sending)).
   * @throws TypeError `ERR_INVALID_ARG_VALUE` when `addr` differs from `remoteAddr` (asyncio
   *   `ValueError`), or is an IP address of the other family than the endpoint's.
   * @throws RangeError `ERR_OUT_OF_RANGE` for a port outside 1–65535, or a datagram over the
   *   UDP maximum: 65,507 bytes over IPv4, 65,527 over IPv6 (asyncio reports `EMSGSIZE` to
   *   `error_received`).
   * @throws {@link TransportClosedError} after `close()`, `abort()` or the loss of the endpoint.
   */
  sendto(data: BytesLike, addr?: InetAddress): void;
  /** Closes at once, dropping queued datagrams; `connectionLost(null)` follows. */
  abort(): void;
  /**
   * Payload bytes of datagrams queued and not yet handed to the OS, with no per-datagram
   * overhead ([asyncio difference 39](../../docs/asyncio-differences.md#sending)).
   */
  getWriteBufferSize(): number;
  /** The water marks as `[low, high]` (low first, as asyncio). */
  getWriteBufferLimits(): [number, number];
  /**
   * Sets the water marks, with asyncio's defaults and rules.
   * @throws RangeError `ERR_OUT_OF_RANGE` unless `high >= low >= 0`.
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /**
   * Received datagrams, hot and multicast; completes when the endpoint closes, errors when it
   * is lost with an error. Datagrams arriving with no subscriber are held for the next one
   * (bounded; see `docs/asyncio-differences.md` for what happens past the bound). Carries
   * datagrams only while the transport's protocol is the built-in Rx one (no `protocol` option).
   */
  readonly datagrams$: Observable<Datagram>;
  /**
   * What asyncio hands to `error_received`: OS errors of sends and receives (`ECONNREFUSED`
   * after an ICMP port-unreachable on a connected endpoint, ...), after which the endpoint stays
   * open. Hot, not held for late subscribers; completes when the endpoint closes.
   */
  readonly errors$: Observable<Error>;
  /** Write flow-control state: true at or below the high water mark; emits on subscribe. */
  readonly writable$: Observable<boolean>;
  /** Resolves when the write buffer is at or below the low water mark; rejects if lost first. */
  drain(): Promise<void>;
}
