/**
 * The datagram transport interface (asyncio `DatagramTransport`, camelCased), with its Rx
 * surfaces. Datagram transports are created only by `createDatagramEndpoint`.
 */
import type { Observable } from 'rxjs';
import type { InetAddress } from './address.js';
import type { BytesLike } from './bytes.js';
import type { DatagramProtocol } from './protocols.js';
import type { BaseTransport } from './transports.js';

/** One received datagram and its sender, as `datagrams$` emits it. */
export interface Datagram {
  /** The payload; empty for a zero-length datagram [D1]. */
  readonly data: Uint8Array;
  /** The sender's address. */
  readonly addr: InetAddress;
}

/**
 * A UDP endpoint (asyncio `DatagramTransport`). Besides asyncio's methods it has the write flow
 * control of stream transports (asyncio applies W12–W14 to datagrams too [D4]) and Rx surfaces.
 */
export interface DatagramTransport extends BaseTransport<DatagramProtocol<DatagramTransport>> {
  /**
   * Sends one datagram (copied). With `remoteAddr`, `addr` must be left out or equal to the
   * remote address [D2]; without it, `addr` is required. An empty `data` sends a zero-length
   * datagram, as asyncio 3.13+ does [D3]. The datagram goes to the OS at once when it can, else
   * it is queued in order and counted by `getWriteBufferSize()` [D4]. An error the OS reports
   * for it goes to `errorReceived`/`errors$`; the endpoint stays open [D5].
   * @throws TypeError `ERR_INVALID_ARG_TYPE` when `data` is not bytes [W1], or when `addr` is
   *   missing on an endpoint without `remoteAddr` (asyncio takes its fatal-error path here).
   * @throws TypeError `ERR_INVALID_ARG_VALUE` when `addr` differs from `remoteAddr` (asyncio
   *   `ValueError`), or is an IP address of the other family than the endpoint's.
   * @throws RangeError `ERR_OUT_OF_RANGE` for a port outside 1–65535, or a datagram over the
   *   UDP maximum: 65,507 bytes over IPv4, 65,527 over IPv6 (asyncio reports `EMSGSIZE` to
   *   `error_received`).
   * @throws {@link TransportClosedError} after `close()`, `abort()` or the loss of the endpoint.
   */
  sendto(data: BytesLike, addr?: InetAddress): void;
  /** Closes at once, dropping queued datagrams; `connectionLost(null)` follows [D7]. */
  abort(): void;
  /** Bytes of datagrams queued and not yet handed to the OS [W11, D4]. */
  getWriteBufferSize(): number;
  /** The water marks as `[low, high]` (low first, as asyncio) [W12]. */
  getWriteBufferLimits(): [number, number];
  /**
   * Sets the water marks, with asyncio's defaults and rules [W12].
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
   * open [D5]. Hot, not held for late subscribers; completes when the endpoint closes.
   */
  readonly errors$: Observable<Error>;
  /** Write flow-control state: true at or below the high water mark; emits on subscribe. */
  readonly writable$: Observable<boolean>;
  /** Resolves when the write buffer is at or below the low water mark; rejects if lost first. */
  drain(): Promise<void>;
}
