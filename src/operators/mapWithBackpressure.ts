import {
  from,
  Observable,
  type ObservableInput,
  type OperatorFunction,
  type Subscription,
} from 'rxjs';
import { invalidArgType, outOfRange } from '../core/argErrors.js';
import type { ReadTransport } from '../core/transports.js';

/**
 * Options of {@link mapWithBackpressure}.
 * @group Operators: backpressure
 */
export interface MapWithBackpressureOptions {
  /**
   * Most inner subscriptions at once, as `mergeMap`'s `concurrent`: an integer >= 1, or
   * `Infinity`.
   * @defaultValue 1
   */
  readonly concurrency?: number;
  /**
   * Items counted (queued, running, or done and waiting for earlier items) at which reading
   * pauses: an integer >= 1.
   * @defaultValue 16
   */
  readonly highWaterMark?: number;
  /**
   * Items counted at or below which reading resumes: an integer >= 0 and < `highWaterMark`
   * (unlike asyncio's write limits, giving only this one does not raise `highWaterMark`).
   * @defaultValue `Math.floor(highWaterMark / 4)`
   */
  readonly lowWaterMark?: number;
}

/** One chunk's way through the operator. */
interface Item<R> {
  readonly chunk: Uint8Array;
  readonly index: number;
  /** Values produced and not yet emitted (only the first item in order emits them). */
  readonly values: R[];
  done: boolean;
  subscription: Subscription | null;
}

const isCount = (value: number, min: number): boolean => Number.isInteger(value) && value >= min;

function checkOptions(options: unknown): { concurrency: number; high: number; low: number } {
  if (typeof options !== 'object' || options === null)
    throw invalidArgType('options', 'an object', options);
  const opts = options as Record<string, unknown>;
  const number = (name: string): number | undefined => {
    const value = opts[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw invalidArgType(`options.${name}`, 'of type number', value);
    return value;
  };
  const concurrency = number('concurrency') ?? 1;
  if (concurrency !== Number.POSITIVE_INFINITY && !isCount(concurrency, 1))
    throw outOfRange('options.concurrency', 'an integer >= 1 or Infinity', concurrency);
  const high = number('highWaterMark') ?? 16;
  if (!isCount(high, 1)) throw outOfRange('options.highWaterMark', 'an integer >= 1', high);
  const low = number('lowWaterMark') ?? Math.floor(high / 4);
  if (!isCount(low, 0) || low >= high)
    throw outOfRange('options.lowWaterMark', `an integer >= 0 and < highWaterMark (${high})`, low);
  return { concurrency, high, low };
}

/**
 * Maps each chunk of `transport.data$` to an inner Observable, as `mergeMap` with at most
 * `concurrency` inner subscriptions at once, and pauses the transport's reading while too much
 * work is waiting. The output keeps the input order: an item's values are emitted, in the order
 * they come, only once every earlier item has completed (values of later items that run ahead
 * are held until then) — `concatMap`'s order with `mergeMap`'s concurrency.
 *
 * An item is counted from its arrival until it has completed and its values have been emitted
 * (queued, running, or done and held for order). When the count reaches `highWaterMark`,
 * `transport.pauseReading()` is called; when it falls to `lowWaterMark`, `resumeReading()`.
 * Pausing is not instantaneous (a chunk on its way still arrives), so the count may pass
 * `highWaterMark` a little; nothing is dropped.
 *
 * ```
 * incoming: abcd|               the peer's chunks; highWaterMark 2, lowWaterMark 0
 * project:  ---x|               each item's inner; concurrency 1
 * data$:    ab------(cd)----|   paused at 1 and 8 (2 counted), resumed at 8 and 16 (0 counted)
 * result:   ---A---B---C---D|
 * ```
 *
 * An error from `project`, from an inner Observable or from the source errors the output.
 * Error, completion and unsubscription all release everything: inner subscriptions are
 * unsubscribed and reading is resumed if this operator paused it. The operator owns the
 * transport's pause flag while subscribed: do not also drive it with `pauseReading`,
 * `pauseWhile` or `pipeline`. asyncio has no counterpart (a bounded `asyncio.Queue` between a
 * reader task and workers is the nearest).
 *
 * @param transport - The transport whose `data$` is the source; its reading is paused and resumed.
 * @param project - Maps a chunk and its index (from 0) to an `ObservableInput`, as in `mergeMap`;
 *   called when the item starts.
 * @param options - `concurrency` (default 1), `highWaterMark` (default 16), `lowWaterMark`
 *   (default `Math.floor(highWaterMark / 4)`); see {@link MapWithBackpressureOptions}.
 * @returns An operator from `Uint8Array` chunks to the inner values, in input order.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` for a `transport` without `pauseReading` and
 *   `resumeReading`, a `project` that is not a function, or options of the wrong type.
 * @throws RangeError `ERR_OUT_OF_RANGE` unless `concurrency` is an integer >= 1 (or `Infinity`),
 *   `highWaterMark` an integer >= 1 and `lowWaterMark` an integer >= 0 and < `highWaterMark`.
 * @see `pauseWhile`, to pause on a condition of your own.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import type { SocketTransport } from 'rxtransport';
 * import { mapWithBackpressure } from 'rxtransport/operators';
 * declare const transport: SocketTransport;
 * declare function store(chunk: Uint8Array): Promise<number>;
 * // Four writes to storage at once; reading pauses while 64 chunks are waiting.
 * transport.data$
 *   .pipe(
 *     mapWithBackpressure(transport, (chunk) => from(store(chunk)), {
 *       concurrency: 4,
 *       highWaterMark: 64,
 *     }),
 *   )
 *   .subscribe((stored) => console.log(`stored ${stored} bytes`));
 * ```
 * @group Operators: backpressure
 */
export function mapWithBackpressure<R>(
  transport: ReadTransport,
  project: (chunk: Uint8Array, index: number) => ObservableInput<R>,
  options: MapWithBackpressureOptions = {},
): OperatorFunction<Uint8Array, R> {
  const controls = transport as Partial<Record<keyof ReadTransport, unknown>> | null;
  if (
    typeof controls !== 'object' ||
    controls === null ||
    typeof controls.pauseReading !== 'function' ||
    typeof controls.resumeReading !== 'function'
  ) {
    throw invalidArgType('transport', 'a transport with pauseReading and resumeReading', transport);
  }
  if (typeof project !== 'function') throw invalidArgType('project', 'a function', project);
  const { concurrency, high, low } = checkOptions(options);

  return (source) =>
    new Observable<R>((subscriber) => {
      /** Items not yet fully emitted, in input order; the first one emits as it goes. */
      const order: Item<R>[] = [];
      /** Items waiting for a free inner slot, in input order. */
      const waiting: Item<R>[] = [];
      let running = 0;
      let nextIndex = 0;
      let sourceDone = false;
      let paused = false;
      let pumping = false;
      let dirty = false;

      const fail = (error: unknown): void => {
        subscriber.error(error);
      };

      const flowControl = (): void => {
        if (!paused && order.length >= high) {
          paused = true;
          transport.pauseReading();
        } else if (paused && order.length <= low) {
          paused = false;
          transport.resumeReading();
        }
      };

      const start = (item: Item<R>): void => {
        running += 1;
        let inner: Observable<R>;
        try {
          inner = from(project(item.chunk, item.index));
        } catch (error) {
          fail(error);
          return;
        }
        item.subscription = inner.subscribe({
          next: (value) => {
            item.values.push(value);
            if (item === order[0]) pump();
          },
          error: fail,
          complete: () => {
            item.done = true;
            running -= 1;
            pump();
          },
        });
      };

      /** Emits what the first items have, starts items, applies flow control; re-entry safe. */
      const pump = (): void => {
        dirty = true;
        if (pumping) return;
        pumping = true;
        try {
          while (dirty && !subscriber.closed) {
            dirty = false;
            for (let head = order[0]; head; head = order[0]) {
              while (head.values.length > 0 && !subscriber.closed) {
                subscriber.next(head.values.shift() as R);
              }
              if (subscriber.closed || !head.done) break;
              order.shift();
            }
            if (subscriber.closed) return;
            while (running < concurrency && waiting.length > 0 && !subscriber.closed) {
              start(waiting.shift() as Item<R>);
            }
            if (subscriber.closed) return;
            flowControl();
            if (sourceDone && order.length === 0) subscriber.complete();
          }
        } finally {
          pumping = false;
        }
      };

      const sourceSubscription = source.subscribe({
        next: (chunk) => {
          const item: Item<R> = {
            chunk,
            index: nextIndex++,
            values: [],
            done: false,
            subscription: null,
          };
          order.push(item);
          waiting.push(item);
          flowControl();
          pump();
        },
        error: fail,
        complete: () => {
          sourceDone = true;
          pump();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        const items = order.splice(0);
        waiting.length = 0;
        for (const item of items) item.subscription?.unsubscribe();
        if (paused) {
          paused = false;
          transport.resumeReading();
        }
      };
    });
}
