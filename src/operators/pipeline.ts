import { isObservable, Observable, Subscription } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';
import { TransportClosedError } from '../core/errors.js';
import type { ReadTransport, WriteTransport } from '../core/transports.js';

/**
 * Options of {@link pipeline}.
 * @group Operators: backpressure
 */
export interface PipelineOptions {
  /**
   * Whether to end `destination` once `source` has ended: `writeEof()` where it can send EOF,
   * else `close()`.
   * @defaultValue true
   */
  readonly end?: boolean;
}

const READ_METHODS = ['pauseReading', 'resumeReading'] as const;
const WRITE_METHODS = [
  'write',
  'drain',
  'flushed',
  'canWriteEof',
  'writeEof',
  'close',
  'isClosing',
  'getWriteBufferSize',
  'getWriteBufferLimits',
] as const;

function checkTransport(
  name: string,
  value: unknown,
  methods: readonly string[],
  observables: readonly string[],
): void {
  const candidate = value as Record<string, unknown> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    methods.some((method) => typeof candidate[method] !== 'function') ||
    observables.some((key) => !isObservable(candidate[key]))
  ) {
    const expected = name === 'source' ? 'a read transport' : 'a write transport';
    throw invalidArgType(name, expected, value);
  }
}

function checkEnd(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'an object', options);
  const end = (options as { end?: unknown }).end;
  if (end === undefined) return true;
  if (typeof end !== 'boolean') throw invalidArgType('options.end', 'of type boolean', end);
  return end;
}

/**
 * Moves every chunk `source` receives to `destination`, at the pace of the slower one. Cold: on
 * subscribe it reads `source.data$` and `write`s each chunk to `destination`, and emits the
 * running total of bytes moved after each chunk.
 *
 * Flow control: while `destination` is above its high water mark (`writable$` false), reading
 * on `source` is paused (`pauseReading()`); it resumes (`resumeReading()`) when `destination` is
 * back at or below its low water mark. So the destination's write buffer stays near its high
 * water mark (plus one chunk) however slow its reader is. While subscribed, pipeline owns the
 * source's pause flag (asyncio has a single one): it resumes reading on subscribe when
 * `destination` is writable, and a `pauseReading()`/`resumeReading()` from elsewhere
 * (`pauseWhile`, `mapWithBackpressure`, your own) will be overridden or will override it.
 *
 * ```
 * incoming:              -a-b-c------|   the source's peer; 2 bytes each
 * destination.writable$: t--f----t----   false past the high mark, true back at the low
 * source.data$:          -a-b----c---|   c waits while the source is paused
 * result:                -2-4----6---|   completes once the destination is flushed
 * ```
 *
 * Completion: when `source.data$` completes (EOF, or the source closed cleanly), pipeline
 * waits for `destination.drain()`, then, when `end` (the default), calls `writeEof()` where
 * `canWriteEof()` (else `close()`), then completes once the destination is **flushed**: its
 * write buffer is empty (`getWriteBufferSize() === 0`, every byte handed to the OS or the peer),
 * or it has closed cleanly after the end step (`close()` flushes first); it waits for that
 * with `destination.flushed()`. A flushed destination may still be sending EOF.
 *
 * Errors: the output errors with `source.data$`'s error; with `destination.closed$`'s error
 * when it is lost with one; with {@link TransportClosedError} when `destination` closes
 * without one before the end step (even cleanly: pipeline cannot tell `close()` from
 * `abort()`); and with what `write()` throws (`TransportClosedError` after `close()`,
 * `WriteAfterEofError` after `writeEof()`). A chunk taken from `source` when the write fails is
 * lost. Nothing becomes an uncaught exception.
 *
 * Unsubscribing stops moving data and resumes reading on `source` if pipeline had paused it.
 * Neither transport is closed, on unsubscribe or on error: close or abort them yourself (for
 * example in `finalize`). Subscribe once at a time: two subscriptions would both write every
 * chunk.
 *
 * Uses only the `ReadTransport`/`WriteTransport` interfaces, so it works between sockets,
 * pipes and subprocess pipes alike. asyncio has no counterpart: it is the loop of `read()`,
 * `write()` and `await drain()` one writes by hand with streams, with EOF passed on.
 *
 * @param source - Where the bytes come from (its `data$` is read; its reading is paused).
 * @param destination - Where they go (`write`, `writable$`, `drain`, `closed$`).
 * @param options - `end` (default `true`): send EOF to, or close, `destination` when `source` ends.
 * @returns A cold Observable of the running total of bytes moved; completes once everything is
 *   flushed.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for a bad `source`, `destination` or `options.end`.
 * @see `pauseWhile`, `mapWithBackpressure`.
 *
 * @example
 * ```ts
 * import { last } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { pipeline } from 'rxtransport/operators';
 * declare const client: SocketTransport;
 * declare const upstream: SocketTransport;
 * // A proxy: each direction moves at the pace of its reader, and EOF is passed on.
 * const abortBoth = () => {
 *   client.abort();
 *   upstream.abort();
 * };
 * pipeline(client, upstream)
 *   .pipe(last(null, 0))
 *   .subscribe({ next: (total) => console.log(`client sent ${total} bytes`), error: abortBoth });
 * pipeline(upstream, client).subscribe({ error: abortBoth });
 * ```
 * @group Operators: backpressure
 */
export function pipeline(
  source: ReadTransport,
  destination: WriteTransport,
  options: PipelineOptions = {},
): Observable<number> {
  checkTransport('source', source, READ_METHODS, ['data$']);
  checkTransport('destination', destination, WRITE_METHODS, ['writable$', 'closed$']);
  const end = checkEnd(options);

  return new Observable<number>((subscriber) => {
    const subscriptions = new Subscription();
    let total = 0;
    let pausedHere = false;
    let ended = false;

    const fail = (error: unknown): void => {
      subscriber.error(error);
    };
    const resume = (): void => {
      if (!pausedHere) return;
      pausedHere = false;
      source.resumeReading();
    };

    /** Completes once the destination's buffer is empty. */
    const awaitFlushed = (): void => {
      if (subscriber.closed) return;
      // flushed() would settle at once, but in a later microtask: go on now (and in virtual time).
      if (destination.getWriteBufferSize() === 0) {
        subscriber.complete();
        return;
      }
      destination.flushed().then(
        () => {
          subscriber.complete();
        },
        (error: unknown) => {
          if (!subscriber.closed) fail(error);
        },
      );
    };

    /** The destination is at or below its low water mark: end it, then await the flush. */
    const endDestination = (): void => {
      if (subscriber.closed) return;
      try {
        if (end) {
          if (destination.canWriteEof()) destination.writeEof();
          else destination.close();
        }
      } catch (error) {
        fail(error);
        return;
      }
      ended = true;
      awaitFlushed();
    };

    const finish = (): void => {
      // drain() would settle at once, but in a later microtask: go on now (and in virtual time).
      if (destination.getWriteBufferSize() <= destination.getWriteBufferLimits()[0]) {
        endDestination();
        return;
      }
      destination.drain().then(endDestination, (error: unknown) => {
        if (!subscriber.closed) fail(error);
      });
    };

    subscriptions.add(
      destination.closed$.subscribe((exc) => {
        if (exc) fail(exc);
        else if (ended) subscriber.complete();
        else fail(new TransportClosedError('The destination closed before the pipeline ended'));
      }),
    );
    if (!subscriber.closed && destination.isClosing()) {
      fail(new TransportClosedError('The destination is closing'));
    }
    const teardown = (): void => {
      subscriptions.unsubscribe();
      resume();
    };
    if (subscriber.closed) return teardown;

    let first = true;
    subscriptions.add(
      destination.writable$.subscribe((writable) => {
        if (!writable && !pausedHere) {
          pausedHere = true;
          source.pauseReading();
        } else if (writable && pausedHere) {
          resume();
        } else if (writable && first) {
          // Taking over the pause flag: a pause made before subscribing would stall the pipe.
          source.resumeReading();
        }
        first = false;
      }),
    );

    subscriptions.add(
      source.data$.subscribe({
        next: (chunk) => {
          if (chunk.byteLength === 0) return;
          try {
            destination.write(chunk);
          } catch (error) {
            fail(error);
            return;
          }
          total += chunk.byteLength;
          subscriber.next(total);
        },
        error: fail,
        complete: finish,
      }),
    );

    return teardown;
  });
}
