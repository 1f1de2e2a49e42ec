/**
 * An Angular service that speaks a line protocol (UTF-8 text, one message per `\n`-terminated
 * line) over TCP with rxtransport. It runs where Node runs: on the server of an Angular SSR app,
 * or any Angular injector hosted in Node. Browsers have no TCP, so it never runs in a browser
 * bundle (see README.md next to this file).
 */
import { DestroyRef, Injectable, InjectionToken, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  filter,
  finalize,
  firstValueFrom,
  map,
  retry,
  switchMap,
  throwError,
  timeout,
  timer,
  type Observable,
} from 'rxjs';
import { fromConnection, TransportOSError, type SocketTransport } from '../../src/index.js';
import { lines } from '../../src/operators/index.js';

/** Settings of {@link LineClientService}; provide any of them with {@link LINE_CLIENT_CONFIG}. */
export interface LineClientConfig {
  /** The wait (ms) before the first reconnect; each further one waits twice as long. */
  readonly initialDelay: number;
  /** The longest wait (ms) between reconnects. */
  readonly maxDelay: number;
  /** Reconnects in a row before `lines$` errors; a line received starts the count again. */
  readonly maxRetries: number;
  /** The longest line (bytes, without its terminator); a longer one errors `lines$`. */
  readonly maxLineLength: number;
  /** How long (ms) `send` waits for a connection before it rejects with a `TimeoutError`. */
  readonly sendTimeout: number;
}

const DEFAULT_CONFIG: LineClientConfig = {
  initialDelay: 250,
  maxDelay: 30_000,
  maxRetries: Number.POSITIVE_INFINITY,
  maxLineLength: 64 * 1024,
  sendTimeout: 10_000,
};

/**
 * Overrides of the defaults, e.g. in the server's `ApplicationConfig`:
 * `{ provide: LINE_CLIENT_CONFIG, useValue: { maxRetries: 5 } }`.
 */
export const LINE_CLIENT_CONFIG = new InjectionToken<Partial<LineClientConfig>>(
  'LINE_CLIENT_CONFIG',
);

/**
 * Reads the lines a TCP server sends, reconnecting with exponential backoff, and sends lines to
 * it. One connection at a time: `send` writes to the connection of the latest `lines$`
 * subscription. Everything closes when the injector is destroyed (in SSR, when the request's
 * application is).
 */
@Injectable({ providedIn: 'root' })
export class LineClientService {
  private readonly config: LineClientConfig = {
    ...DEFAULT_CONFIG,
    ...inject(LINE_CLIENT_CONFIG, { optional: true }),
  };
  private readonly destroyRef = inject(DestroyRef);
  private readonly encoder = new TextEncoder();
  /** The open connection of the active `lines$` subscription; null between connections. */
  private readonly transport$ = new BehaviorSubject<SocketTransport | null>(null);

  constructor() {
    // Once the injector is gone, `send` rejects at once instead of waiting for a connection.
    this.destroyRef.onDestroy(() => {
      this.transport$.complete();
    });
  }

  /** Whether a connection is open now; emits the current value on subscribe. */
  readonly connected$: Observable<boolean> = this.transport$.pipe(
    map((transport) => transport !== null),
    distinctUntilChanged(),
  );

  /**
   * Connects on subscribe and emits each line the server sends (decoded, without `\n` or
   * `\r\n`). When the connect fails or the connection is lost with an error from the OS
   * (`ECONNREFUSED`, `ECONNRESET`, ...: a `TransportOSError`), it connects again after
   * `initialDelay` ms, then twice as long each time up to `maxDelay`; any other error (e.g.
   * `FrameTooLargeError` for a line over `maxLineLength`) is not retried. Completes when the
   * server ends the connection cleanly. Unsubscribing closes the connection.
   */
  lines$(host: string, port: number): Observable<string> {
    const { initialDelay, maxDelay, maxRetries, maxLineLength } = this.config;
    return defer(() => fromConnection({ host, port })).pipe(
      switchMap((transport) => {
        this.transport$.next(transport);
        return transport.data$.pipe(
          lines({ maxLength: maxLineLength }),
          finalize(() => {
            if (this.transport$.value === transport) this.transport$.next(null);
            // On the server's EOF the connection is half-open: close our side too, so that
            // `fromConnection` completes and so does `lines$`.
            transport.close();
          }),
        );
      }),
      retry({
        count: maxRetries,
        resetOnSuccess: true,
        delay: (error: unknown, attempt: number) =>
          error instanceof TransportOSError
            ? timer(Math.min(initialDelay * 2 ** (attempt - 1), maxDelay))
            : throwError(() => error),
      }),
      takeUntilDestroyed(this.destroyRef),
    );
  }

  /**
   * Sends one line (a `\n` is appended), waiting up to `sendTimeout` ms for a connection from
   * `lines$`. Resolves once the line is handed to the OS or the write buffer is back at its low
   * water mark, so awaiting each `send` keeps memory bounded when the server reads slowly.
   * Rejects with a `TypeError` for a line containing `\n` or `\r`, with rxjs's `TimeoutError`
   * when no connection opens in time (rxjs's `EmptyError` once the injector is destroyed), and
   * with the transport's error when the connection is lost before the line is flushed.
   */
  async send(line: string): Promise<void> {
    if (/[\r\n]/.test(line)) {
      throw new TypeError('send() takes a single line, without "\\n" or "\\r"');
    }
    const transport = await firstValueFrom(
      this.transport$.pipe(
        filter((open): open is SocketTransport => open !== null && !open.isClosing()),
        timeout({ first: this.config.sendTimeout }),
      ),
    );
    transport.write(this.encoder.encode(`${line}\n`));
    await transport.drain();
  }
}
