/**
 * A producer that respects its transport's `writable$`: it writes while the transport is
 * writable and stops, without dropping or buffering anything itself, while it is not; and a
 * proxy of two `pipeline()`s, each direction at the pace of its reader. Tested in
 * `marbles/writeBackpressure.marbles.spec.ts`.
 */
import { merge, Observable } from 'rxjs';
import {
  TransportClosedError,
  type SocketTransport,
  type WriteTransport,
} from '../../src/index.js';
import { pipeline } from '../../src/operators/index.js';

/**
 * Writes the chunks of `chunks`, in order, only while `transport.writable$` is true: when a
 * write takes the buffer past its high water mark, the next chunk waits until the buffer is
 * back at its low water mark. Pulls a chunk only when it can write it. Emits the bytes written
 * so far after each chunk; completes after the last one (the transport stays open); errors
 * with `TransportClosedError` when the transport ends first.
 */
export function writeWhileWritable(
  transport: WriteTransport,
  chunks: Iterable<Uint8Array>,
): Observable<number> {
  return new Observable<number>((subscriber) => {
    const iterator = chunks[Symbol.iterator]();
    let writable = false;
    let pumping = false;
    let total = 0;
    const pump = (): void => {
      if (pumping) return;
      pumping = true;
      try {
        // A write may make writable$ say false on the way: the loop sees it at once.
        while (writable && !subscriber.closed) {
          const next = iterator.next();
          if (next.done === true) {
            subscriber.complete();
            return;
          }
          transport.write(next.value);
          total += next.value.byteLength;
          subscriber.next(total);
        }
      } catch (error) {
        subscriber.error(error);
      } finally {
        pumping = false;
      }
    };
    return transport.writable$.subscribe({
      next: (value) => {
        writable = value;
        pump();
      },
      complete: () => {
        subscriber.error(new TransportClosedError('The transport ended before every chunk'));
      },
    });
  });
}

/**
 * A proxy between two connections: what each side sends goes to the other, each direction at
 * the pace of its reader (`pipeline`), and EOF is passed on. Emits nothing; completes once
 * both directions are flushed; errors with the first error of either, aborting both.
 */
export function proxy(a: SocketTransport, b: SocketTransport): Observable<never> {
  return new Observable<never>((subscriber) =>
    merge(pipeline(a, b), pipeline(b, a)).subscribe({
      error: (error: unknown) => {
        a.abort();
        b.abort();
        subscriber.error(error);
      },
      complete: () => {
        subscriber.complete();
      },
    }),
  );
}
