import { Observable, Subject, from, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameTooLargeError } from '../../src/core/errors';
import { delimited } from '../../src/operators/delimited';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `chunks` through `operator` synchronously: the frames, then how it ended. */
function run(chunks: Uint8Array[], operator: ReturnType<typeof delimited>): unknown[] {
  const seen: unknown[] = [];
  from(chunks)
    .pipe(operator)
    .subscribe({
      next: (frame) => seen.push(frame),
      error: (err: unknown) => seen.push({ error: (err as { code?: unknown }).code }),
      complete: () => seen.push('|'),
    });
  return seen;
}

const tooLarge = (maxLength: number): FrameTooLargeError =>
  new FrameTooLargeError(`A frame is longer than maxLength (${maxLength} bytes)`);

describe('delimited', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it('carries a partial frame across chunks and flushes it on complete', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--c--|', { a: encode('ab,c'), b: encode('d,'), c: encode(',e') });
      expectObservable(source.pipe(delimited(','))).toBe('--x--y--z--(w|)', {
        x: encode('ab'),
        y: encode('cd'),
        z: encode(''),
        w: encode('e'),
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('emits every frame of one chunk at its frame, empty frames included', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a------|', { a: encode('one\r\n\r\ntwo\r\n\r\n') });
      expectObservable(source.pipe(delimited('\r\n'))).toBe('-(wxyz)-|', {
        w: encode('one'),
        x: encode(''),
        y: encode('two'),
        z: encode(''),
      });
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('finds a multi-byte delimiter split across several chunks', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', {
        a: encode('head\r'),
        b: encode('\n'),
        c: encode('\r'),
        d: encode('\nbody'),
      });
      expectObservable(source.pipe(delimited('\r\n\r\n'))).toBe('-------x-(y|)', {
        x: encode('head'),
        y: encode('body'),
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('finds a split delimiter whose start repeats inside it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // 'xaa' + 'b' ends with the delimiter 'aab' starting one byte before the chunk boundary.
      const source = cold('-a-b-|', { a: encode('xaa'), b: encode('by') });
      expectObservable(source.pipe(delimited('aab'))).toBe('---x-(y|)', {
        x: encode('x'),
        y: encode('y'),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('emits nothing more on complete when the stream ended with a delimiter', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--|', { a: encode('done\0') });
      expectObservable(source.pipe(delimited('\0'))).toBe('-x--|', { x: encode('done') });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('does not let delimiters overlap', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-|', { a: encode('aaa') });
      expectObservable(source.pipe(delimited('aa'))).toBe('-x-(y|)', {
        x: encode(''),
        y: encode('a'),
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps the start of a delimiter that never completes in the last frame', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: encode('one\r\ntwo\r'), b: encode('\r') });
      expectObservable(source.pipe(delimited('\r\n'))).toBe('-x---(y|)', {
        x: encode('one'),
        y: encode('two\r\r'),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('accepts a Uint8Array delimiter and UTF-8 encodes a string one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-|', { a: new Uint8Array([1, 0xff, 0xfe, 2, 0xe2, 0x82, 0xac, 3]) });
      expectObservable(source.pipe(delimited(new Uint8Array([0xff, 0xfe])))).toBe('-x-(y|)', {
        x: new Uint8Array([1]),
        y: new Uint8Array([2, 0xe2, 0x82, 0xac, 3]),
      });
      expectObservable(source.pipe(delimited('€'))).toBe('-x-(y|)', {
        x: new Uint8Array([1, 0xff, 0xfe, 2]),
        y: new Uint8Array([3]),
      });
      expectSubscriptions(source.subscriptions).toBe(['^--!', '^--!']);
    });
  });

  it('passes a source error on and drops the partial frame', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: encode('whole,part') }, new Error('reset'));
      expectObservable(source.pipe(delimited(','))).toBe(
        '-x-#',
        { x: encode('whole') },
        new Error('reset'),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('stops reading the chunk when the consumer unsubscribes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: encode('first;second;'), b: encode('third;') });
      expectObservable(source.pipe(delimited(';'), take(1))).toBe('-(x|)', {
        x: encode('first'),
      });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('errors with ERR_INVALID_ARG_TYPE on a chunk that is not bytes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: encode('ok,'), b: 'text' as unknown as Uint8Array });
      expectObservable(source.pipe(delimited(','))).toBe(
        '-x-#',
        { x: encode('ok') },
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('keeps frame order when the source sends a chunk while a frame is being emitted', () => {
    const source = new Subject<Uint8Array>();
    const seen: string[] = [];
    source.pipe(delimited('::')).subscribe({
      next: (frame) => {
        const text = new TextDecoder().decode(frame);
        seen.push(text);
        if (text === 'a') {
          source.next(encode(':c::d'));
          source.complete();
        }
      },
      complete: () => seen.push('|'),
    });
    source.next(encode('a::b:'));
    expect(seen).toEqual(['a', 'b', 'c', 'd', '|']);
  });

  describe('maxLength', () => {
    it('accepts a frame of exactly maxLength bytes, delimiter not counted', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: encode('abc\r\nd\r'), b: encode('f\r\n') });
        expectObservable(source.pipe(delimited('\r\n', { maxLength: 3 }))).toBe('-x-y-|', {
          x: encode('abc'),
          y: encode('d\rf'),
        });
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors as soon as a partial frame exceeds it, before any delimiter', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', { a: encode('ok,abc'), b: encode('d'), c: encode(',') });
        expectObservable(source.pipe(delimited(',', { maxLength: 3 }))).toBe(
          '-x-#',
          { x: encode('ok') },
          tooLarge(3),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('waits while the bytes over the limit may still start the delimiter', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // 'abc\r' may end 'abc' (3 bytes); 'abcd\r' cannot end a frame of 3 or fewer.
        const source = cold('-a-b-c-|', {
          a: encode('abc\r'),
          b: encode('\nabcd'),
          c: encode('\r'),
        });
        expectObservable(source.pipe(delimited('\r\n', { maxLength: 3 }))).toBe(
          '---x-#',
          { x: encode('abc') },
          tooLarge(3),
        );
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors on a complete frame over the limit after the frames before it', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: encode('ab,abcd,ab,') });
        expectObservable(source.pipe(delimited(',', { maxLength: 3 }))).toBe(
          '-(x#)',
          { x: encode('ab') },
          tooLarge(3),
        );
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('errors at completion on a last frame over the limit', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // 'abcd' could still have been 'abc' + '\r\n' until the source completed.
        const source = cold('-a-|', { a: encode('abc\r') });
        expectObservable(source.pipe(delimited('\r\n', { maxLength: 3 }))).toBe(
          '---#',
          {},
          tooLarge(3),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors with FrameTooLargeError and code ERR_FRAME_TOO_LARGE', () => {
      let caught: unknown;
      from([encode('0123456789')])
        .pipe(delimited(',', { maxLength: 4 }))
        .subscribe({
          error: (err: unknown) => {
            caught = err;
          },
        });
      expect(caught).toBeInstanceOf(FrameTooLargeError);
      expect(caught).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', name: 'FrameTooLargeError' });
    });

    it('accepts 0 (only empty frames) and Infinity', () => {
      expect(run([encode(',,')], delimited(',', { maxLength: 0 }))).toEqual([
        encode(''),
        encode(''),
        '|',
      ]);
      expect(run([encode('x,')], delimited(',', { maxLength: 0 }))).toEqual([
        { error: 'ERR_FRAME_TOO_LARGE' },
      ]);
      expect(run([encode('long frame,')], delimited(',', { maxLength: Infinity }))).toEqual([
        encode('long frame'),
        '|',
      ]);
    });

    it('throws at once for a maxLength that is not a non-negative integer', () => {
      for (const maxLength of [-1, 1.5, NaN]) {
        expect(() => delimited(',', { maxLength })).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
        );
      }
      expect(() => delimited(',', { maxLength: '8' as unknown as number })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });
  });

  describe('delimiter', () => {
    it('throws ERR_INVALID_ARG_VALUE at once for an empty delimiter', () => {
      for (const delimiter of ['', new Uint8Array(0)]) {
        expect(() => delimited(delimiter)).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }),
        );
      }
    });

    it('throws ERR_INVALID_ARG_TYPE at once for a delimiter that is neither a string nor bytes', () => {
      for (const delimiter of [10, null, undefined, [10]]) {
        expect(() => delimited(delimiter as unknown as string)).toThrow(
          expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('copies the delimiter, so later changes to the caller array have no effect', () => {
      const delimiter = encode(';');
      const operator = delimited(delimiter);
      delimiter[0] = 0x2c; // ','
      expect(run([encode('a,b;c')], operator)).toEqual([encode('a,b'), encode('c'), '|']);
    });
  });

  describe('memory', () => {
    it('emits a frame that lies inside one chunk as a view of that chunk', () => {
      const chunk = encode('first,second,th');
      const frames = run([chunk, encode('ird,')], delimited(',')) as Uint8Array[];
      expect(frames.slice(0, 3)).toEqual([encode('first'), encode('second'), encode('third')]);
      expect(frames[0]!.buffer).toBe(chunk.buffer);
      expect(frames[1]!.buffer).toBe(chunk.buffer);
      expect(frames[2]!.buffer).not.toBe(chunk.buffer);
    });

    it('copies a partial frame, so a producer may reuse its buffer', () => {
      const buffer = encode('ab');
      const source = new Observable<Uint8Array>((subscriber) => {
        subscriber.next(buffer);
        buffer.fill(0x7a); // the producer reads its next chunk into the same memory
        subscriber.next(encode(','));
        subscriber.complete();
      });
      let result: Uint8Array[] = [];
      source.pipe(delimited(','), toArray()).subscribe((all) => {
        result = all;
      });
      expect(result).toEqual([encode('ab')]);
    });
  });
});
