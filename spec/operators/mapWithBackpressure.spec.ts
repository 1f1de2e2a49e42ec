import { map, NEVER, of, Subject, take, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ReadTransport } from '../../src/core/transports';
import { mapWithBackpressure } from '../../src/operators/mapWithBackpressure';
import { marbleTransport } from '../../src/testing/marbleTransport';
import { useExceptionReports } from '../helpers/exceptions';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Records each pauseReading/resumeReading call on `transport`, with the time it came at. */
function recordFlowCalls(transport: ReadTransport, now: () => number): string[] {
  const calls: string[] = [];
  const pause = transport.pauseReading.bind(transport);
  const resume = transport.resumeReading.bind(transport);
  transport.pauseReading = () => {
    calls.push(`pause@${now()}`);
    pause();
  };
  transport.resumeReading = () => {
    calls.push(`resume@${now()}`);
    resume();
  };
  return calls;
}

/** A transport stand-in for synchronous tests: only the read flow control. */
function fakeTransport(): ReadTransport & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pauseReading: () => calls.push('pause'),
    resumeReading: () => calls.push('resume'),
  } as unknown as ReadTransport & { calls: string[] };
}

describe('mapWithBackpressure', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });
  const reports = useExceptionReports();

  it('pauses reading at the high water mark and resumes at the low one, in virtual time', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'abcdef|' });
      const calls = recordFlowCalls(transport, () => testScheduler.now());
      const result = transport.data$.pipe(
        mapWithBackpressure(
          transport,
          (chunk) => cold('---x|', { x: decode(chunk).toUpperCase() }),
          { highWaterMark: 2 }, // lowWaterMark: floor(2 / 4) = 0
        ),
      );
      // Two items counted at frame 1 pause reading: c..f and EOF are held by the peer until
      // the count is back to 0, then arrive two at a time.
      expectObservable(transport.data$.pipe(map(decode))).toBe('ab------(cd)----(ef)----|');
      expectObservable(result).toBe('---A---B---C---D---E---F|');
      testScheduler.schedule(() => {
        expect(calls).toEqual([
          'pause@1',
          'resume@8',
          'pause@8',
          'resume@16',
          'pause@16',
          'resume@24',
        ]);
      }, 30);
    });
  });

  it('behaves as its TSDoc diagram shows', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'abcd|' });
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, (chunk) => cold('---x|', { x: decode(chunk) }), {
          highWaterMark: 2,
          lowWaterMark: 0,
        }),
      );
      expectObservable(transport.data$.pipe(map(decode))).toBe('ab------(cd)----|');
      expectObservable(result).toBe('---a---b---c---d|');
    });
  });

  it('keeps input order when a later inner finishes first, each item emitting several values', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable, expectSubscriptions } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'abc|' });
      const inners: Record<string, ReturnType<typeof cold<string>>> = {
        a: cold('--1---2|'),
        b: cold('-3-4|'),
        c: cold('(5|)'),
      };
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, (chunk) => inners[decode(chunk)]!, { concurrency: 2 }),
      );
      // a streams as it goes; b (done at 5) and c (done at once at 5) wait for a, done at 7.
      expectObservable(result).toBe('--1---2(345|)');
      expectSubscriptions(inners['a']!.subscriptions).toBe('^------!');
      expectSubscriptions(inners['b']!.subscriptions).toBe('-^---!');
      expectSubscriptions(inners['c']!.subscriptions).toBe('-----(^!)');
    });
  });

  it('passes each chunk and its index to project', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const transport = marbleTransport(helpers, { incoming: '-a-b-c-|' });
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, (chunk, index) => of(`${decode(chunk)}${index}`)),
      );
      expectObservable(result).toBe('-x-y-z-|', { x: 'a0', y: 'b1', z: 'c2' });
    });
  });

  it('errors when an inner errors, unsubscribing the others and resuming reading', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable, expectSubscriptions } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'abc---d|' });
      const calls = recordFlowCalls(transport, () => testScheduler.now());
      const inners: Record<string, ReturnType<typeof cold<string>>> = {
        a: cold('----#', undefined, new Error('inner failed')),
        b: cold('--x------'),
      };
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, (chunk) => inners[decode(chunk)]!, {
          concurrency: 2,
          highWaterMark: 2,
        }),
      );
      expectObservable(result).toBe('----#', undefined, new Error('inner failed'));
      expectSubscriptions(inners['a']!.subscriptions).toBe('^---!');
      expectSubscriptions(inners['b']!.subscriptions).toBe('-^--!');
      testScheduler.schedule(() => {
        expect(calls).toEqual(['pause@1', 'resume@4']);
      }, 10);
    });
  });

  it('errors when project throws', () => {
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const transport = marbleTransport(helpers, { incoming: '-a-b-|' });
      const failure = new Error('project failed');
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, (chunk, index) => {
          if (index === 1) throw failure;
          return of(decode(chunk));
        }),
      );
      expectObservable(result).toBe('-a-#', { a: 'a' }, failure);
    });
  });

  it('errors with the error of data$', () => {
    const reset = new Error('reset by peer');
    testScheduler.run((helpers) => {
      const { expectObservable } = helpers;
      const transport = marbleTransport(helpers, { incoming: '-a-#', error: reset });
      const result = transport.data$.pipe(mapWithBackpressure(transport, () => NEVER));
      expectObservable(result).toBe('---#', undefined, reset);
    });
    // A plain Error (not an OS error) on a transport is a fatal error, which is also reported.
    expect(reports.take()).toEqual([
      expect.objectContaining({ message: 'Fatal read/write error on transport', exception: reset }),
    ]);
  });

  it('releases everything on unsubscribe: inners unsubscribed, reading resumed', () => {
    testScheduler.run((helpers) => {
      const { cold, expectObservable, expectSubscriptions } = helpers;
      const transport = marbleTransport(helpers, { incoming: 'ab--c|' });
      const calls = recordFlowCalls(transport, () => testScheduler.now());
      const inner = cold('-------x');
      const result = transport.data$.pipe(
        mapWithBackpressure(transport, () => inner, { highWaterMark: 2, lowWaterMark: 1 }),
      );
      expectObservable(result, '^----!').toBe('------');
      expectSubscriptions(inner.subscriptions).toBe('^----!');
      // The held c is delivered to a later subscriber once reading resumes.
      expectObservable(transport.data$.pipe(map(decode)), '------^').toBe('------(c|)');
      testScheduler.schedule(() => {
        expect(calls).toEqual(['pause@1', 'resume@5']);
      }, 10);
    });
  });

  it('uses 16 and 4 as default water marks', () => {
    const transport = fakeTransport();
    const source = new Subject<Uint8Array>();
    const inners: Subject<number>[] = [];
    const values: number[] = [];
    source
      .pipe(
        mapWithBackpressure(transport, () => {
          const inner = new Subject<number>();
          inners.push(inner);
          return inner;
        }),
      )
      .subscribe((value) => values.push(value));
    for (let i = 0; i < 15; i++) source.next(encode('x'));
    expect(transport.calls).toEqual([]);
    source.next(encode('x'));
    expect(transport.calls).toEqual(['pause']);
    // One at a time (concurrency 1): 16 counted, down to 4 after 12 completions.
    for (let i = 0; i < 11; i++) {
      inners[i]!.next(i);
      inners[i]!.complete();
    }
    expect(transport.calls).toEqual(['pause']);
    inners[11]!.complete();
    expect(transport.calls).toEqual(['pause', 'resume']);
    expect(values).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(inners).toHaveLength(13);
  });

  it('counts items done but held for order', () => {
    const transport = fakeTransport();
    const source = new Subject<Uint8Array>();
    const inners: Subject<string>[] = [];
    const values: string[] = [];
    source
      .pipe(
        mapWithBackpressure(
          transport,
          (_chunk, index) => {
            const inner = new Subject<string>();
            inners.push(inner);
            return index === 0 ? inner : of(`v${index}`);
          },
          { concurrency: Infinity, highWaterMark: 3, lowWaterMark: 0 },
        ),
      )
      .subscribe((value) => values.push(value));
    for (let i = 0; i < 3; i++) source.next(encode('x'));
    // Items 1 and 2 are done, but wait for item 0: three are counted.
    expect(transport.calls).toEqual(['pause']);
    expect(values).toEqual([]);
    inners[0]!.complete();
    expect(values).toEqual(['v1', 'v2']);
    expect(transport.calls).toEqual(['pause', 'resume']);
  });

  it('stops at once when a consumer unsubscribes in the middle of a flush', () => {
    const transport = fakeTransport();
    const source = new Subject<Uint8Array>();
    const values: number[] = [];
    let completed = false;
    source
      .pipe(
        mapWithBackpressure(transport, () => of(1, 2, 3)),
        take(2),
      )
      .subscribe({ next: (value) => values.push(value), complete: () => (completed = true) });
    source.next(encode('x'));
    expect(values).toEqual([1, 2]);
    expect(completed).toBe(true);
    expect(source.observed).toBe(false);
  });

  it('completes after the source once every item is done', () => {
    const transport = fakeTransport();
    const source = new Subject<Uint8Array>();
    const inner = new Subject<string>();
    let completed = false;
    source.pipe(mapWithBackpressure(transport, () => inner)).subscribe({
      complete: () => (completed = true),
    });
    source.next(encode('x'));
    source.complete();
    expect(completed).toBe(false);
    inner.complete();
    expect(completed).toBe(true);
  });

  it('errors when project returns something that is not an ObservableInput', () => {
    const transport = fakeTransport();
    const errors: unknown[] = [];
    of(encode('x'))
      .pipe(mapWithBackpressure(transport, () => 42 as unknown as Observable<number>))
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toEqual([expect.any(TypeError)]);
  });

  it('accepts a throwing ObservableInput as an ordinary inner error', () => {
    const transport = fakeTransport();
    const failure = new Error('inner');
    const errors: unknown[] = [];
    of(encode('x'))
      .pipe(mapWithBackpressure(transport, () => throwError(() => failure)))
      .subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toEqual([failure]);
  });

  describe('arguments', () => {
    const project = () => of(1);
    const typeError = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    const rangeError = expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });

    it('refuses a transport without flow control and a project that is not a function', () => {
      expect(() => mapWithBackpressure({} as ReadTransport, project)).toThrow(typeError);
      expect(() =>
        mapWithBackpressure(fakeTransport(), 'f' as unknown as () => Observable<number>),
      ).toThrow(typeError);
    });

    it('refuses options of the wrong type', () => {
      const bad = (options: unknown) => () =>
        mapWithBackpressure(fakeTransport(), project, options as never);
      expect(bad(null)).toThrow(typeError);
      expect(bad({ concurrency: '2' })).toThrow(typeError);
      expect(bad({ highWaterMark: '2' })).toThrow(typeError);
      expect(bad({ lowWaterMark: null })).toThrow(typeError);
    });

    it('refuses values out of range', () => {
      const bad = (options: object) => () => mapWithBackpressure(fakeTransport(), project, options);
      expect(bad({ concurrency: 0 })).toThrow(rangeError);
      expect(bad({ concurrency: 1.5 })).toThrow(rangeError);
      expect(bad({ concurrency: NaN })).toThrow(rangeError);
      expect(bad({ highWaterMark: 0 })).toThrow(rangeError);
      expect(bad({ highWaterMark: Infinity })).toThrow(rangeError);
      expect(bad({ highWaterMark: 4, lowWaterMark: 4 })).toThrow(rangeError);
      expect(bad({ lowWaterMark: -1 })).toThrow(rangeError);
      expect(bad({ highWaterMark: 2, lowWaterMark: 0.5 })).toThrow(rangeError);
    });

    it('accepts the edges: concurrency Infinity, highWaterMark 1 with lowWaterMark 0', () => {
      expect(() =>
        mapWithBackpressure(fakeTransport(), project, { concurrency: Infinity, highWaterMark: 1 }),
      ).not.toThrow();
      expect(() =>
        mapWithBackpressure(fakeTransport(), project, { highWaterMark: 5, lowWaterMark: 4 }),
      ).not.toThrow();
    });
  });
});
