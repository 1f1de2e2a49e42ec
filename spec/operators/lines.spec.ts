import { Observable, Subject, from, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameTooLargeError } from '../../src/core/errors';
import { lines } from '../../src/operators/lines';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `chunks` through `lines(options)` synchronously: the lines, then how it ended. */
function runLines(chunks: Uint8Array[], options: Parameters<typeof lines>[0] = {}): unknown[] {
  const seen: unknown[] = [];
  from(chunks)
    .pipe(lines(options))
    .subscribe({
      next: (line) => seen.push(line),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}

/** Every way of cutting `bytes` into 2 and into 3 chunks (empty chunks included). */
function* splits(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) {
    yield [bytes.subarray(0, i), bytes.subarray(i)];
    for (let j = i; j <= bytes.length; j++) {
      yield [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
    }
  }
}

describe('lines', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('carries a partial line across chunks and flushes it on complete', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--c--|', {
        a: encode('he'),
        b: encode('llo\r\nwo'),
        c: encode('rld\nok'),
      });
      expectObservable(source.pipe(lines())).toBe('-----x--y--(z|)', {
        x: 'hello',
        y: 'world',
        z: 'ok',
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('emits every line of one chunk at its frame, empty lines included', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a------|', { a: encode('one\n\r\ntwo\r\n\n') });
      expectObservable(source.pipe(lines())).toBe('-(wxyz)-|', {
        w: 'one',
        x: '',
        y: 'two',
        z: '',
      });
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('emits nothing more on complete when the last line was terminated', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--|', { a: encode('done\n') });
      expectObservable(source.pipe(lines())).toBe('-x--|', { x: 'done' });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('keeps a multi-byte character split across chunks', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const euro = encode('€'); // e2 82 ac
      const source = cold('-a-b-c-|', {
        a: euro.subarray(0, 1),
        b: euro.subarray(1, 2),
        c: new Uint8Array([...euro.subarray(2), 0x0a]),
      });
      expectObservable(source.pipe(lines())).toBe('-----x-|', { x: '€' });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('treats a \\r\\n split across chunks as one terminator', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-----|', { a: encode('left\r'), b: encode('\nright\n') });
      expectObservable(source.pipe(lines())).toBe('---(xy)--|', { x: 'left', y: 'right' });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('keeps a lone \\r inside a line and at the end of the stream', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: encode('a\rb\nc\r'), b: encode('d\re\r') });
      expectObservable(source.pipe(lines())).toBe('-x---(y|)', { x: 'a\rb', y: 'c\rd\re\r' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('decodes malformed UTF-8 as U+FFFD and keeps a byte order mark', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-----|', {
        a: new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x0a, 0xc3, 0x0a, 0xff, 0x42, 0x0a]),
      });
      expectObservable(source.pipe(lines())).toBe('-(xyz)-|', {
        x: '\uFEFFA',
        y: '\uFFFD',
        z: '\uFFFDB',
      });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('passes a source error on and drops the partial line', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: encode('whole\npart') }, new Error('reset'));
      expectObservable(source.pipe(lines())).toBe('-x-#', { x: 'whole' }, new Error('reset'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('stops reading the chunk when the consumer unsubscribes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: encode('first\nsecond\n'), b: encode('third\n') });
      expectObservable(source.pipe(lines(), take(1))).toBe('-(x|)', { x: 'first' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('keeps line order when the source sends a chunk while a line is being emitted', () => {
    const source = new Subject<Uint8Array>();
    const seen: string[] = [];
    source.pipe(lines()).subscribe({
      next: (line) => {
        seen.push(line);
        if (line === 'a') {
          source.next(encode('c\nd'));
          source.complete();
        }
      },
      complete: () => seen.push('|'),
    });
    source.next(encode('a\nb\n'));
    expect(seen).toEqual(['a', 'b', 'c', 'd', '|']);
  });

  describe('maxLength', () => {
    it('accepts a line of exactly maxLength bytes, not counting \\n or \\r\\n', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: encode('abc\ndé\r'), b: encode('\n') });
        expectObservable(source.pipe(lines({ maxLength: 3 }))).toBe('-x-y-|', {
          x: 'abc',
          y: 'dé',
        });
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors as soon as a partial line exceeds it, before any newline', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', {
          a: encode('ok\nabc'),
          b: encode('d'),
          c: encode('\n'),
        });
        const error = new FrameTooLargeError('A line is longer than maxLength (3 bytes)');
        expectObservable(source.pipe(lines({ maxLength: 3 }))).toBe('-x-#', { x: 'ok' }, error);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors on a complete line over the limit after the lines before it', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: encode('ab\nabcd\nab\n') });
        const result = source.pipe(lines({ maxLength: 3 }));
        expectObservable(result).toBe(
          '-(x#)',
          { x: 'ab' },
          new FrameTooLargeError('A line is longer than maxLength (3 bytes)'),
        );
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('counts a trailing \\r of the last, unterminated line', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: encode('abc\r') });
        expectObservable(source.pipe(lines({ maxLength: 3 }))).toBe(
          '---#',
          {},
          new FrameTooLargeError('A line is longer than maxLength (3 bytes)'),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors with FrameTooLargeError and code ERR_FRAME_TOO_LARGE', () => {
      let caught: unknown;
      from([encode('0123456789')])
        .pipe(lines({ maxLength: 4 }))
        .subscribe({
          error: (err: unknown) => {
            caught = err;
          },
        });
      expect(caught).toBeInstanceOf(FrameTooLargeError);
      expect(caught).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', name: 'FrameTooLargeError' });
    });

    it('accepts 0 (only empty lines) and Infinity', () => {
      expect(runLines([encode('\n\r\n')], { maxLength: 0 })).toEqual(['', '', '|']);
      expect(runLines([encode('x\n')], { maxLength: 0 })).toEqual([
        { error: 'ERR_FRAME_TOO_LARGE' },
      ]);
      expect(runLines([encode('long line\n')], { maxLength: Infinity })).toEqual([
        'long line',
        '|',
      ]);
    });

    it('throws at once for a maxLength that is not a non-negative integer', () => {
      expect(() => lines({ maxLength: -1 })).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => lines({ maxLength: 1.5 })).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => lines({ maxLength: NaN })).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => lines({ maxLength: '8' as unknown as number })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });

  describe('chunk boundaries', () => {
    const input = encode('héllo\r\n\nwörld €\n😀\r\nlone\rcr\r\r\n\r\ntail é');

    it('gives the same lines for every split of the input into 2 and 3 chunks', () => {
      const expected = runLines([input]);
      expect(expected).toEqual(['héllo', '', 'wörld €', '😀', 'lone\rcr\r', '', 'tail é', '|']);
      let cases = 0;
      for (const chunks of splits(input)) {
        expect(runLines(chunks)).toEqual(expected);
        cases++;
      }
      expect(cases).toBeGreaterThan((input.length * input.length) / 2);
    });

    it('gives the same lines and the same error for every split when maxLength is hit', () => {
      // 'fine!\r' is 6 bytes pending, yet a line of 5 once its '\n' comes.
      const limited = encode('ok\r\nfine!\r\nfive5\ntoolong\nafter\n');
      const expected = runLines([limited], { maxLength: 5 });
      expect(expected).toEqual(['ok', 'fine!', 'five5', { error: 'ERR_FRAME_TOO_LARGE' }]);
      for (const chunks of splits(limited)) {
        expect(runLines(chunks, { maxLength: 5 })).toEqual(expected);
      }
    });

    it('copies a partial line, so a producer may reuse its buffer', () => {
      const buffer = encode('ab');
      const source = new Observable<Uint8Array>((subscriber) => {
        subscriber.next(buffer);
        buffer.fill(0x7a); // the producer reads its next chunk into the same memory
        subscriber.next(encode('\n'));
        subscriber.complete();
      });
      let result: string[] = [];
      source.pipe(lines(), toArray()).subscribe((all) => {
        result = all;
      });
      expect(result).toEqual(['ab']);
    });

    it('errors the output when a chunk is not bytes', () => {
      let error: unknown;
      new Observable<Uint8Array>((subscriber) => {
        subscriber.next('text' as unknown as Uint8Array);
      })
        .pipe(lines())
        .subscribe({ error: (e: unknown) => (error = e) });
      expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    });

    it.each([null, undefined, 0])('errors the output on a %p chunk, not dropping it', (value) => {
      let error: unknown;
      let completed = false;
      new Observable<Uint8Array>((subscriber) => {
        subscriber.next(value as unknown as Uint8Array);
        subscriber.complete();
      })
        .pipe(lines())
        .subscribe({ error: (e: unknown) => (error = e), complete: () => (completed = true) });
      expect(completed).toBe(false);
      expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    });
  });
});
