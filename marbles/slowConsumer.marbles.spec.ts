/**
 * Slow consumers that pause and resume the transport (examples/pipelines/slowConsumer.ts), in
 * virtual time. Each test draws three lines:
 *
 * - `incoming`: what the peer sends, and when;
 * - `flow`: the consumer's calls on the transport, `p` for `pauseReading()` and `r` for
 *   `resumeReading()`;
 * - `data$`: what the consumer is handed. Between a `p` and the next `r` nothing is read: the
 *   chunks the peer sends meanwhile are held back, then delivered, in order and none lost, on
 *   the frame of the `r`.
 */
import { map, Subject, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ReadTransport } from '../src/index';
import { marbleTransport } from '../src/testing/index';
import { storeChunks, writeInBatches } from '../examples/pipelines/slowConsumer';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The `pauseReading()` (`p`) and `resumeReading()` (`r`) calls on `transport`, as they come. */
function flowCalls(transport: ReadTransport): Observable<'p' | 'r'> {
  const calls = new Subject<'p' | 'r'>();
  const pause = transport.pauseReading.bind(transport);
  const resume = transport.resumeReading.bind(transport);
  transport.pauseReading = () => {
    calls.next('p');
    pause();
  };
  transport.resumeReading = () => {
    calls.next('r');
    resume();
  };
  return calls;
}

describe('a slow consumer that pauses and resumes the transport', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  describe('storeChunks (mapWithBackpressure)', () => {
    it('pauses while 3 chunks are counted, resumes at 1, and stores every chunk in order', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const upload = marbleTransport(helpers, { incoming: 'abcdefg|' });
        const flow = flowCalls(upload);
        // Storing a chunk takes 3 frames, one at a time: the peer sends 3 times faster.
        const stores = Object.fromEntries(
          ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((c) => [
            c,
            cold('---(s|)', { s: c.toUpperCase() }),
          ]),
        );
        const stored = storeChunks(upload, (chunk) => stores[decode(chunk)]!, {
          concurrency: 1,
          highWaterMark: 3,
          lowWaterMark: 1,
        });

        // c makes 3 counted (a storing, b and c waiting): pause. At 6, with a and b stored, one
        // is left: resume, and d and e, held back since frames 3 and 4, come at once, which
        // makes 3 again: pause. The same at 12 for f, g; at 18 the EOF comes through.
        expectObservable(flow).toBe('--p---(rp)--(rp)--r');
        expectObservable(upload.data$.pipe(map(decode))).toBe('abc---(de)--(fg)--|');
        expectObservable(stored).toBe('---A--B--C--D--E--F--(G|)');
        expectSubscriptions(stores['a']!.subscriptions).toBe('^--!');
        // d, read at 6, waits its turn until c is stored.
        expectSubscriptions(stores['d']!.subscriptions).toBe('---------^--!');
        expectSubscriptions(stores['g']!.subscriptions).toBe('------------------^--!');
      });
    });

    it('errors when a store fails, cancelling the others and resuming reading', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const upload = marbleTransport(helpers, { incoming: 'abcd---e|' });
        const flow = flowCalls(upload);
        const diskFull = new Error('disk full');
        const stores = {
          a: cold('--(s|)', { s: 'A' }),
          b: cold('---#', undefined, diskFull),
          c: cold('--(s|)', { s: 'C' }),
        };
        const stored = storeChunks(
          upload,
          (chunk) => stores[decode(chunk) as keyof typeof stores],
          { concurrency: 2, highWaterMark: 3, lowWaterMark: 1 },
        );

        // b fails at 4: c's store is cancelled, and reading resumes for whoever reads next.
        expectObservable(stored).toBe('--A-#', undefined, diskFull);
        expectObservable(flow).toBe('--p-r');
        expectObservable(upload.data$.pipe(map(decode))).toBe('abc-d--e|');
        expectSubscriptions(stores.a.subscriptions).toBe('^-!');
        expectSubscriptions(stores.b.subscriptions).toBe('-^--!');
        expectSubscriptions(stores.c.subscriptions).toBe('--^-!');
      });
    });
  });

  describe('writeInBatches (pauseWhile)', () => {
    it('does not read while a batch is being written', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const source = marbleTransport(helpers, { incoming: 'abcdefg|' });
        const flow = flowCalls(source);
        // Writing a batch takes 5 frames, whatever its size.
        const flushes = {
          abc: cold('-----(w|)', { w: 3 }),
          def: cold('-----(w|)', { w: 3 }),
          g: cold('-----(w|)', { w: 1 }),
        };
        const written = writeInBatches(
          source,
          (batch) => flushes[batch.map(decode).join('') as keyof typeof flushes],
          { batchSize: 3 },
        );

        // The third chunk starts a batch and pauses reading; the end of the batch resumes it.
        // d, e and f, held back since frames 3 to 5, come at once on the frame of the resume,
        // and f starts the next batch, which pauses reading again. At EOF (12) the last batch
        // is the one chunk left.
        expectObservable(flow).toBe('--p----(rp)-(rp)-r');
        expectObservable(source.data$.pipe(map(decode))).toBe('abc----(def)(g|)');
        expectObservable(written).toBe('-------x----y----(z|)', { x: 3, y: 3, z: 1 });
        expectSubscriptions(flushes.abc.subscriptions).toBe('--^----!');
        expectSubscriptions(flushes.def.subscriptions).toBe('-------^----!');
        expectSubscriptions(flushes.g.subscriptions).toBe('------------^----!');
      });
    });

    it('resumes reading when unsubscribed in the middle of a batch', () => {
      testScheduler.run((helpers) => {
        const { cold, expectObservable, expectSubscriptions } = helpers;
        const source = marbleTransport(helpers, { incoming: 'abcd------e-|' });
        const flow = flowCalls(source);
        const flush = cold('-----(w|)', { w: 3 });
        const written = writeInBatches(source, () => flush, { batchSize: 3 });

        // Given up at 5: the batch is cancelled and reading resumes; d waited from 3 to 5.
        expectObservable(written, '^----!').toBe('-');
        expectObservable(flow).toBe('--p--r');
        expectObservable(source.data$.pipe(map(decode))).toBe('abc--d----e-|');
        expectSubscriptions(flush.subscriptions).toBe('--^--!');
      });
    });
  });
});
