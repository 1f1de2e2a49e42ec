/**
 * Reconnect with exponential backoff. The pattern takes a connection factory of
 * `fromConnection`'s shape, `() => Observable<SocketTransport>` (emits the transport once
 * connected, completes when it closes cleanly, errors when the connect fails or the connection
 * is lost), so that the marble suite can run it in virtual time with marble transports
 * (`marbles/reconnect.marbles.spec.ts`) and an application plugs `fromConnection` in
 * (`reconnectingLines` below).
 */
import { defer, finalize, retry, switchMap, throwError, timer, type Observable } from 'rxjs';
import {
  fromConnection,
  TransportOSError,
  type ConnectionOptions,
  type SocketTransport,
} from '../../src/index.js';
import { lines } from '../../src/operators/index.js';

/** Opens one connection, as `fromConnection` does: cold, one transport per subscription. */
export type ConnectionFactory = () => Observable<SocketTransport>;

/** Options of {@link reconnecting}. */
export interface BackoffOptions {
  /** The wait (ms) before the first retry; each further retry waits twice as long. */
  readonly initialDelay: number;
  /** The longest wait (ms). */
  readonly maxDelay: number;
  /**
   * Retries in a row before giving up with the last error; a connection that delivered
   * something starts the count again.
   * @defaultValue Infinity
   */
  readonly maxRetries?: number;
}

/** The wait before retry number `attempt` (from 1): `initialDelay`, doubling up to `maxDelay`. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  return Math.min(options.initialDelay * 2 ** (attempt - 1), options.maxDelay);
}

/**
 * Runs `session` on a connection from `connect`, and when the connect fails or the connection
 * is lost with an error from the OS (a `TransportOSError`: `ECONNREFUSED`, `ECONNRESET`, ...),
 * connects again after a backoff delay (`backoffDelay`), the count starting again whenever the
 * session emits. Any other error (a bug, or a protocol error such as `FrameTooLargeError`)
 * is not retried: the output errors with it. When the session
 * completes (for example on the server's EOF), the connection is closed and the output
 * completes. Unsubscribing closes the current connection (`fromConnection` does) or cancels the
 * pending wait.
 *
 * @param connect - Opens a connection: `() => fromConnection(options)`, or a test double.
 * @param session - What to do with each connection, as an Observable of results.
 */
export function reconnecting<T>(
  connect: ConnectionFactory,
  session: (transport: SocketTransport) => Observable<T>,
  options: BackoffOptions,
): Observable<T> {
  return defer(connect).pipe(
    switchMap((transport) =>
      session(transport).pipe(
        finalize(() => {
          transport.close();
        }),
      ),
    ),
    retry({
      count: options.maxRetries ?? Number.POSITIVE_INFINITY,
      delay: (error: unknown, attempt) =>
        error instanceof TransportOSError
          ? timer(backoffDelay(attempt, options))
          : throwError(() => error),
      resetOnSuccess: true,
    }),
  );
}

/** The session of {@link reconnectingLines}: the lines the server sends. */
export const readLines = (transport: SocketTransport): Observable<string> =>
  transport.data$.pipe(lines({ maxLength: 64 * 1024 }));

/**
 * The lines a server sends, across reconnects: `fromConnection` is the factory. Wait 100 ms
 * before the first retry, then 200, 400, ..., at most 10 s.
 */
export function reconnectingLines(options: ConnectionOptions): Observable<string> {
  return reconnecting(() => fromConnection(options), readLines, {
    initialDelay: 100,
    maxDelay: 10_000,
  });
}
