import { isObservable, Subscription, type Observable } from 'rxjs';
import { invalidArgType } from '../core/argErrors.js';
import { reportException } from '../core/exceptionHandler.js';
import type { ReadTransport } from '../core/transports.js';

/** Whether `value` has the read-side flow-control methods of a transport. */
function isReadControl(value: unknown): value is ReadTransport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof ReadTransport, unknown>>;
  return (
    typeof candidate.pauseReading === 'function' && typeof candidate.resumeReading === 'function'
  );
}

/**
 * Maps a boolean stream onto a transport's read flow control: `true` calls `pauseReading()`,
 * `false` calls `resumeReading()`. Repeats are ignored, and `false` resumes only a pause this
 * subscription made: it never undoes a pause made elsewhere, so a leading `false` does nothing.
 * Unsubscribing resumes reading if this subscription had paused it.
 *
 * ```
 * paused$:       f--t--t--f--t----!
 * pauseReading:  ---x--------x-----
 * resumeReading: ---------x-------x   (the last one on unsubscribe)
 * ```
 *
 * When `paused$` completes, the state it left stays until the subscription is unsubscribed.
 * When it errors, reading is resumed (if it was paused here) and the error goes to the exception
 * handler (`setExceptionHandler`), since a `Subscription` has nowhere to send it.
 *
 * `pauseReading` is a single flag per transport (as asyncio's): anything else that pauses or
 * resumes the same transport (you, `pipeline`, `mapWithBackpressure`, another `pauseWhile`)
 * acts on the same flag, and the last call wins. asyncio has no counterpart.
 *
 * @param transport - The transport whose reading is paused (a socket, read pipe or subprocess
 *   pipe; anything with `pauseReading` and `resumeReading`).
 * @param paused$ - `true` while reading should be paused.
 * @returns The subscription; unsubscribe it to stop following `paused$`.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `transport` lacks `pauseReading`/`resumeReading`
 *   or `paused$` is not an Observable.
 * @see `mapWithBackpressure`, which pauses by the amount of queued work.
 *
 * @example
 * ```ts
 * import { BehaviorSubject } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { pauseWhile } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * const busy$ = new BehaviorSubject(false);
 * const subscription = pauseWhile(transport, busy$);
 * busy$.next(true); // reading stops
 * busy$.next(false); // reading goes on
 * subscription.unsubscribe();
 * ```
 * @group Operators: backpressure
 */
export function pauseWhile(transport: ReadTransport, paused$: Observable<boolean>): Subscription {
  if (!isReadControl(transport)) {
    throw invalidArgType('transport', 'a transport with pauseReading and resumeReading', transport);
  }
  if (!isObservable(paused$)) throw invalidArgType('paused$', 'an Observable', paused$);

  let pausedHere = false;
  const release = (): void => {
    if (!pausedHere) return;
    pausedHere = false;
    transport.resumeReading();
  };
  const subscription = new Subscription(release);
  subscription.add(
    paused$.subscribe({
      next: (paused) => {
        if (paused && !pausedHere) {
          pausedHere = true;
          transport.pauseReading();
        } else if (!paused) {
          release();
        }
      },
      error: (error: unknown) => {
        release();
        reportException({ message: 'pauseWhile: paused$ errored', exception: error, transport });
      },
    }),
  );
  return subscription;
}
