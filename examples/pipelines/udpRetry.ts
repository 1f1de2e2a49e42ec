/**
 * A UDP request with a timeout and retries: the request is sent again when no answer came in
 * time, up to a number of attempts; an ICMP error (the port is closed) ends it at once.
 * Tested in `marbles/udpRetry.marbles.spec.ts`.
 */
import {
  defer,
  filter,
  map,
  merge,
  mergeMap,
  Observable,
  retry,
  take,
  throwError,
  timeout,
  timer,
  TimeoutError,
} from 'rxjs';
import type { DatagramTransport, InetAddress } from '../../src/index.js';

/** Options of {@link udpRequest}. */
export interface UdpRequestOptions {
  /** How long (ms) each attempt waits for the answer. */
  readonly timeout: number;
  /** Attempts after the first one. */
  readonly retries: number;
  /** How long (ms) to wait before each retry. @defaultValue 0 */
  readonly backoff?: number;
}

/**
 * Cold: sends `request` to `addr` and emits the payload of the first datagram that comes back
 * from `addr`, then completes. An attempt that gets no answer within `timeout` is made again
 * (the same bytes) up to `retries` times, after `backoff`; then it errors with rxjs's
 * `TimeoutError`. An error the endpoint reports (`errors$`, such as `ConnectionRefusedError`
 * after an ICMP port unreachable) ends it at once with that error.
 */
export function udpRequest(
  endpoint: DatagramTransport,
  request: Uint8Array,
  addr: InetAddress,
  options: UdpRequestOptions,
): Observable<Uint8Array> {
  const attempt = defer(() => {
    // Listen before sending: the answer may come on the frame the request leaves.
    const answer = merge(
      endpoint.datagrams$.pipe(
        filter((datagram) => datagram.addr.host === addr.host && datagram.addr.port === addr.port),
        map((datagram) => datagram.data),
      ),
      endpoint.errors$.pipe(mergeMap((error) => throwError(() => error))),
    ).pipe(take(1), timeout({ first: options.timeout }));
    return new Observable<Uint8Array>((subscriber) => {
      const subscription = answer.subscribe(subscriber);
      endpoint.sendto(request, addr);
      return subscription;
    });
  });
  return attempt.pipe(
    retry({
      count: options.retries,
      delay: (error: unknown) =>
        error instanceof TimeoutError ? timer(options.backoff ?? 0) : throwError(() => error),
    }),
  );
}
