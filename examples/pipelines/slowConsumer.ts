/**
 * Slow consumers that throttle the connection instead of buffering: while the work falls
 * behind, the transport stops reading, so the peer's writes back up into its own buffers (and
 * its `writable$` goes false). Tested in `marbles/slowConsumer.marbles.spec.ts`.
 */
import {
  BehaviorSubject,
  bufferCount,
  concatMap,
  finalize,
  from,
  Observable,
  type ObservableInput,
} from 'rxjs';
import type { SocketTransport } from '../../src/index.js';
import {
  mapWithBackpressure,
  pauseWhile,
  type MapWithBackpressureOptions,
} from '../../src/operators/index.js';

/**
 * An upload handler: each chunk received is stored with `store` (at most `concurrency` at once)
 * and the results come out in the order the chunks came. While `highWaterMark` chunks are
 * waiting or being stored, reading pauses; it resumes when `lowWaterMark` are left.
 * Completes once the peer's EOF has come and every chunk is stored.
 */
export function storeChunks<R>(
  transport: SocketTransport,
  store: (chunk: Uint8Array) => ObservableInput<R>,
  options: MapWithBackpressureOptions = {},
): Observable<R> {
  return transport.data$.pipe(mapWithBackpressure(transport, store, options));
}

/** Options of {@link writeInBatches}. */
export interface WriteInBatchesOptions {
  /** Chunks per batch (the last batch, at EOF, may be smaller). */
  readonly batchSize: number;
}

/**
 * A consumer that writes what it receives in batches of `batchSize` chunks, and does not read
 * while a batch is being written: `pauseWhile` pauses the transport when a batch starts and
 * resumes it when the batch is done. Emits what `flush` emits; completes after the last batch.
 * Unsubscribing stops, and resumes reading if it was paused here.
 */
export function writeInBatches<R>(
  transport: SocketTransport,
  flush: (batch: Uint8Array[]) => ObservableInput<R>,
  options: WriteInBatchesOptions,
): Observable<R> {
  return new Observable<R>((subscriber) => {
    const busy$ = new BehaviorSubject(false);
    const subscription = pauseWhile(transport, busy$);
    subscription.add(
      transport.data$
        .pipe(
          bufferCount(options.batchSize),
          concatMap((batch) => {
            busy$.next(true);
            return from(flush(batch)).pipe(
              finalize(() => {
                busy$.next(false);
              }),
            );
          }),
        )
        .subscribe(subscriber),
    );
    return subscription;
  });
}
